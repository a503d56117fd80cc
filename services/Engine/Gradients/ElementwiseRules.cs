namespace SaliencySlider.Engine.Gradients;

/// <summary>Broadcasting arithmetic: each operand's gradient is summed back to its own shape.</summary>
internal static partial class BackwardRules
{
    private static void Add(BackwardContext c)
    {
        SetBroadcastGrad(c, 0, c.Grad);
        SetBroadcastGrad(c, 1, c.Grad);
    }

    private static void Sub(BackwardContext c)
    {
        SetBroadcastGrad(c, 0, c.Grad);
        if (c.Needs(1))
        {
            SetBroadcastGrad(c, 1, c.Emit.Neg(c.Grad));
        }
    }

    private static void Mul(BackwardContext c)
    {
        if (c.Needs(0))
        {
            SetBroadcastGrad(c, 0, c.Emit.Mul(c.Grad, c.Input(1)));
        }

        if (c.Needs(1))
        {
            SetBroadcastGrad(c, 1, c.Emit.Mul(c.Grad, c.Input(0)));
        }
    }

    /// <summary>d(a/b)/da = 1/b; d(a/b)/db = −(a/b)/b.</summary>
    private static void Div(BackwardContext c)
    {
        var e = c.Emit;
        var scaled = e.Div(c.Grad, c.Input(1));
        if (c.Needs(0))
        {
            SetBroadcastGrad(c, 0, scaled);
        }

        if (c.Needs(1))
        {
            SetBroadcastGrad(c, 1, e.Neg(e.Mul(scaled, c.Output(0))));
        }
    }

    private static void Sum(BackwardContext c)
    {
        for (var input = 0; input < c.Node.Input.Count; input++)
        {
            SetBroadcastGrad(c, input, c.Grad);
        }
    }

    private static void Mean(BackwardContext c)
    {
        var scaled = c.Emit.Mul(c.Grad, c.Emit.ScalarFloat(1f / c.Node.Input.Count));
        for (var input = 0; input < c.Node.Input.Count; input++)
        {
            SetBroadcastGrad(c, input, scaled);
        }
    }

    private static void Neg(BackwardContext c) => c.SetInputGrad(0, c.Emit.Neg(c.Grad));

    /// <summary>d(xᵖ)/dx = p·xᵖ⁻¹ (LayerNorm's square, tanh-GELU's cube); the exponent must not depend on the target.</summary>
    private static void Pow(BackwardContext c)
    {
        if (c.Needs(1))
        {
            throw c.Unsupported("its exponent depends on the target layer (only xᵖ with p independent of it is supported)");
        }

        var e = c.Emit;
        var p = c.IsFloat(c.Input(1)) ? c.Input(1) : e.Node("Cast", [c.Input(1)], Attr.Int("to", 1));
        var slope = e.Mul(p, e.Node("Pow", [c.Input(0), e.Sub(p, e.ScalarFloat(1f))]));
        SetBroadcastGrad(c, 0, e.Mul(c.Grad, slope));
    }

    /// <summary>Where(condition, a, b): a gets the gradient where the condition holds, b elsewhere.</summary>
    private static void Where(BackwardContext c)
    {
        var e = c.Emit;
        if (c.Needs(1))
        {
            SetBroadcastGrad(c, 1, e.Mask(c.Input(0), c.Grad));
        }

        if (c.Needs(2))
        {
            SetBroadcastGrad(c, 2, e.Node("Where", [c.Input(0), e.ScalarFloat(0f), c.Grad]));
        }
    }

    private static void Expand(BackwardContext c) => SetBroadcastGrad(c, 0, c.Grad);

    private static void SetBroadcastGrad(BackwardContext c, int input, string gradient)
    {
        if (c.Needs(input))
        {
            c.SetInputGrad(input, c.Unbroadcast(gradient, c.OutputShape(), c.Input(input)));
        }
    }
}

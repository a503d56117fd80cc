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

    private static void SetBroadcastGrad(BackwardContext c, int input, string gradient)
    {
        if (c.Needs(input))
        {
            c.SetInputGrad(input, c.Unbroadcast(gradient, c.OutputShape(), c.Input(input)));
        }
    }
}

namespace SaliencySlider.Engine.Gradients;

/// <summary>Element-wise activations: the gradient passes where the function has slope, scaled by it.</summary>
internal static partial class BackwardRules
{
    private static void Relu(BackwardContext c)
    {
        var e = c.Emit;
        c.SetInputGrad(0, e.Mask(e.Node("Greater", [c.Input(0), e.ScalarFloat(0f)]), c.Grad));
    }

    private static void LeakyRelu(BackwardContext c)
    {
        var e = c.Emit;
        var alpha = Attr.GetFloat(c.Node, "alpha") ?? 0.01f;
        var positive = e.Node("Greater", [c.Input(0), e.ScalarFloat(0f)]);
        c.SetInputGrad(0, e.Node("Where", [positive, c.Grad, e.Mul(c.Grad, e.ScalarFloat(alpha))]));
    }

    private static void PRelu(BackwardContext c)
    {
        var e = c.Emit;
        if (c.Needs(1))
        {
            throw c.Unsupported("its slope depends on the target layer");
        }

        var positive = e.Node("Greater", [c.Input(0), e.ScalarFloat(0f)]);
        var scaled = e.Mul(c.Grad, c.Input(1));
        c.SetInputGrad(0, e.Node("Where", [positive, c.Grad, scaled]));
    }

    private static void Clip(BackwardContext c)
    {
        var e = c.Emit;
        if (c.Needs(1) || c.Needs(2))
        {
            throw c.Unsupported("its bounds depend on the target layer");
        }

        var x = c.Input(0);
        var min = c.HasInput(1) ? c.Input(1) : Attr.GetFloat(c.Node, "min") is { } minValue ? e.ScalarFloat(minValue) : null;
        var max = c.HasInput(2) ? c.Input(2) : Attr.GetFloat(c.Node, "max") is { } maxValue ? e.ScalarFloat(maxValue) : null;
        var above = min is null ? null : e.Node("Greater", [x, min]);
        var below = max is null ? null : e.Node("Less", [x, max]);
        var inside = (above, below) switch
        {
            (null, null) => null,
            ({ } a, null) => a,
            (null, { } b) => b,
            ({ } a, { } b) => e.Node("And", [a, b]),
        };
        c.SetInputGrad(0, inside is null ? c.Grad : e.Mask(inside, c.Grad));
    }

    private static void Sigmoid(BackwardContext c)
    {
        var e = c.Emit;
        var y = c.Output(0);
        c.SetInputGrad(0, e.Mul(c.Grad, e.Mul(y, e.Sub(e.ScalarFloat(1f), y))));
    }

    private static void Tanh(BackwardContext c)
    {
        var e = c.Emit;
        var y = c.Output(0);
        c.SetInputGrad(0, e.Mul(c.Grad, e.Sub(e.ScalarFloat(1f), e.Mul(y, y))));
    }

    /// <summary>d erf(x)/dx = 2/√π · exp(−x²) (GELU is built from it).</summary>
    private static void Erf(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.Input(0);
        var density = e.Node("Exp", [e.Neg(e.Mul(x, x))]);
        c.SetInputGrad(0, e.Mul(c.Grad, e.Mul(density, e.ScalarFloat(2f / MathF.Sqrt(MathF.PI)))));
    }

    /// <summary>
    /// Opset 20's Gelu. Exact: Φ(x) + x·φ(x). Tanh approximation 0.5·x·(1 + t), t = tanh(√(2/π)·(x + 0.044715·x³)):
    /// 0.5·(1 + t) + 0.5·x·(1 − t²)·√(2/π)·(1 + 3·0.044715·x²).
    /// </summary>
    private static void Gelu(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.Input(0);
        var square = e.Mul(x, x);
        string slope;
        if ((Attr.GetString(c.Node, "approximate") ?? "none") == "tanh")
        {
            var scale = MathF.Sqrt(2f / MathF.PI);
            var cubic = e.Mul(e.Add(x, e.Mul(e.Mul(square, x), e.ScalarFloat(0.044715f))), e.ScalarFloat(scale));
            var t = e.Node("Tanh", [cubic]);
            var dCubic = e.Mul(e.Add(e.Mul(square, e.ScalarFloat(3f * 0.044715f)), e.ScalarFloat(1f)), e.ScalarFloat(scale));
            var dTanh = e.Mul(e.Sub(e.ScalarFloat(1f), e.Mul(t, t)), dCubic);
            slope = e.Mul(e.Add(e.Add(t, e.ScalarFloat(1f)), e.Mul(x, dTanh)), e.ScalarFloat(0.5f));
        }
        else
        {
            var cdf = e.Mul(e.Add(e.Node("Erf", [e.Mul(x, e.ScalarFloat(1f / MathF.Sqrt(2f)))]), e.ScalarFloat(1f)), e.ScalarFloat(0.5f));
            var density = e.Mul(e.Node("Exp", [e.Mul(square, e.ScalarFloat(-0.5f))]), e.ScalarFloat(1f / MathF.Sqrt(2f * MathF.PI)));
            slope = e.Add(cdf, e.Mul(x, density));
        }

        c.SetInputGrad(0, e.Mul(c.Grad, slope));
    }

    private static void Exp(BackwardContext c) => c.SetInputGrad(0, c.Emit.Mul(c.Grad, c.Output(0)));

    private static void Log(BackwardContext c) => c.SetInputGrad(0, c.Emit.Div(c.Grad, c.Input(0)));

    /// <summary>dX = y·(g − Σ g·y) over the softmax axis.</summary>
    private static void Softmax(BackwardContext c)
    {
        var e = c.Emit;
        var y = c.Output(0);
        var weighted = e.ReduceSum(e.Mul(c.Grad, y), SoftmaxAxis(c), keepDims: true);
        c.SetInputGrad(0, e.Mul(y, e.Sub(c.Grad, weighted)));
    }

    /// <summary>dX = g − softmax·Σ g over the axis, with softmax = exp(y).</summary>
    private static void LogSoftmax(BackwardContext c)
    {
        var e = c.Emit;
        var total = e.ReduceSum(c.Grad, SoftmaxAxis(c), keepDims: true);
        c.SetInputGrad(0, e.Sub(c.Grad, e.Mul(e.Node("Exp", [c.Output(0)]), total)));
    }

    /// <summary>
    /// Since opset 13 (OnnxModelLoader.MinimumOpset) the softmax runs along one axis, −1 by default; the
    /// older coercion to 2-D over all axes from <c>axis</c> on never reaches the backward pass.
    /// </summary>
    private static long[] SoftmaxAxis(BackwardContext c)
    {
        var axis = c.Axis(Attr.GetInt(c.Node, "axis") ?? -1, c.InputShape(0).Length);
        return axis == 0 ? throw c.Unsupported("it normalizes over the batch axis") : [axis];
    }

    private static void Sqrt(BackwardContext c)
    {
        var e = c.Emit;
        c.SetInputGrad(0, e.Div(e.Mul(c.Grad, e.ScalarFloat(0.5f)), c.Output(0)));
    }

    private static void HardSigmoid(BackwardContext c)
    {
        var e = c.Emit;
        var alpha = Attr.GetFloat(c.Node, "alpha") ?? 0.2f;
        var beta = Attr.GetFloat(c.Node, "beta") ?? 0.5f;
        var z = e.Add(e.Mul(c.Input(0), e.ScalarFloat(alpha)), e.ScalarFloat(beta));
        var inside = e.Node("And", [e.Node("Greater", [z, e.ScalarFloat(0f)]), e.Node("Less", [z, e.ScalarFloat(1f)])]);
        c.SetInputGrad(0, e.Mask(inside, e.Mul(c.Grad, e.ScalarFloat(alpha))));
    }

    /// <summary>HardSwish(x) = x·clamp(x/6 + 1/2, 0, 1): slope 0 below −3, 1 above 3, x/3 + 1/2 between.</summary>
    private static void HardSwish(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.Input(0);
        var slope = e.Add(e.Mul(x, e.ScalarFloat(1f / 3f)), e.ScalarFloat(0.5f));
        var middle = e.Mul(c.Grad, slope);
        var upper = e.Node("Where", [e.Node("Greater", [x, e.ScalarFloat(3f)]), c.Grad, middle]);
        c.SetInputGrad(0, e.Mask(e.Node("Greater", [x, e.ScalarFloat(-3f)]), upper));
    }
}

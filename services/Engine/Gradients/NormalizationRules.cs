namespace SaliencySlider.Engine.Gradients;

/// <summary>Normalizations whose statistics are taken over the activations themselves.</summary>
internal static partial class BackwardRules
{
    /// <summary>
    /// Y = x̂·γ + β with x̂ = (X − μ)·σ⁻¹ over the axes from <c>axis</c> on. The node's optional Mean and
    /// InvStdDev outputs are requested and reused: dX = σ⁻¹·(ĝ − mean(ĝ) − x̂·mean(ĝ·x̂)) with ĝ = g·γ.
    /// Gradients arriving at Mean (1/n each) and InvStdDev (−σ⁻²·x̂/n) are added.
    /// </summary>
    private static void LayerNormalization(BackwardContext c)
    {
        if (c.Needs(1) || c.Needs(2))
        {
            throw c.Unsupported("its scale or bias depends on the target layer");
        }

        var e = c.Emit;
        var shape = c.InputShape(0);
        var axis = c.Axis(Attr.GetInt(c.Node, "axis") ?? -1, shape.Length);
        if (axis == 0)
        {
            throw c.Unsupported("it normalizes over the batch axis");
        }

        var axes = Enumerable.Range((int)axis, shape.Length - (int)axis).Select(a => (long)a).ToArray();
        var inverseCount = e.ScalarFloat(1f / axes.Aggregate(1L, (product, a) => product * shape[a]));
        string MeanOver(string tensor) => e.Mul(e.ReduceSum(tensor, axes, keepDims: true), inverseCount);

        var invStdDev = c.RequestOutput(2, "layernorm_inv_std_dev");
        var normalized = e.Mul(e.Sub(c.Input(0), c.RequestOutput(1, "layernorm_mean")), invStdDev);
        List<string> terms = [];
        if (c.OutputGrad(0) is { } g)
        {
            var scaled = e.Mul(g, c.Input(1));
            var centred = e.Sub(e.Sub(scaled, MeanOver(scaled)), e.Mul(normalized, MeanOver(e.Mul(scaled, normalized))));
            terms.Add(e.Mul(centred, invStdDev));
        }

        if (c.OutputGrad(1) is { } meanGrad)
        {
            terms.Add(e.Node("Expand", [e.Mul(meanGrad, inverseCount), e.Shape(c.Input(0))]));
        }

        if (c.OutputGrad(2) is { } invStdDevGrad)
        {
            var slope = e.Mul(e.Mul(invStdDev, invStdDev), e.Mul(normalized, inverseCount));
            terms.Add(e.Neg(e.Mul(invStdDevGrad, slope)));
        }

        c.SetInputGrad(0, e.Sum(terms));
    }
}

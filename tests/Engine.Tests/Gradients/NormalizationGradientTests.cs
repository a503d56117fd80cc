using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class NormalizationGradientTests
{
    /// <summary>LayerNormalization (opset 17) over the last axis of tokens, and over C·H·W of a feature map.</summary>
    [Theory]
    [InlineData(-1, true)]
    [InlineData(1, true)]
    [InlineData(2, false)]
    public void LayerNormalization_matches_finite_differences(int axis, bool withBias)
    {
        var m = new OnnxModelBuilder(seed: 60, opset: 17);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Stem(x, 3, 4);
        var tokens = axis == -1 ? m.Node("Transpose", [m.Node("Reshape", [target, m.Ints(0, 4, 16)])], Attr.Ints("perm", [0, 2, 1])) : target;
        long[] parameterShape = axis switch { -1 => [4], 1 => [4, 4, 4], _ => [4, 4] };
        List<string> inputs = [tokens, m.Uniform(parameterShape, 0.5f, 1.5f)];
        if (withBias)
        {
            inputs.Add(m.Weight(parameterShape, 0.3f));
        }

        var normalized = m.Node("LayerNormalization", [.. inputs], Attr.Int("axis", axis), Attr.Float("epsilon", 1e-3f));
        var mixed = m.Node("Mul", [normalized, m.Node("Sigmoid", [tokens])]);
        m.Output(m.ClassifierHead(mixed, 64, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 3]);
    }

    /// <summary>The optional Mean and InvStdDev outputs feed the head too, so their gradients reach X.</summary>
    [Fact]
    public void LayerNormalization_statistics_outputs_match_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 61, opset: 17);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Stem(x, 3, 4);
        var outputs = m.Node("LayerNormalization", [target, m.Uniform([4, 4], 0.5f, 1.5f)], 3, Attr.Int("axis", 2));
        var statistics = m.Node("Concat", [outputs[1], m.Node("Mul", [outputs[2], m.Floats([0.3f], [])])], Attr.Int("axis", 2));
        var head = m.Node("Add", [m.ClassifierHead(outputs[0], 64, 5), m.ClassifierHead(statistics, 8, 5)]);
        m.Output(head);

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2]);
    }

    [Fact]
    public void LayerNormalization_with_scale_from_the_target_is_refused()
    {
        var m = new OnnxModelBuilder(seed: 62, opset: 17);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Stem(x, 3, 4);
        var scale = m.Node("ReduceMean", [target], Attr.Ints("axes", [0, 1]), Attr.Int("keepdims", 0));
        var normalized = m.Node("LayerNormalization", [m.Stem(x, 3, 4), scale], Attr.Int("axis", 2));
        m.Output(m.ClassifierHead(normalized, 64, 3));

        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[48], 1, [-1], target));
        Assert.Contains(m.NodeNameOf(normalized), error.Message);
        Assert.Contains("scale or bias depends on the target layer", error.Message);
    }
}

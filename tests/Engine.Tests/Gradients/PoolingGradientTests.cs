using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class PoolingGradientTests
{
    /// <summary>Kernel 3 stride 2: neighbouring windows share a row and a column, so one element can be the maximum of several.</summary>
    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Overlapping_MaxPool_matches_finite_differences(int pad)
    {
        var m = new OnnxModelBuilder(seed: 20 + pad);
        var x = m.Input("image", [3, 9, 9]);
        var target = m.Stem(x, 3, 4);
        var pooled = m.Node("MaxPool", [target], Attr.Ints("kernel_shape", [3, 3]), Attr.Ints("strides", [2, 2]), Attr.Ints("pads", [pad, pad, pad, pad]));
        var side = pad == 1 ? 5 : 4;
        m.Output(m.ClassifierHead(pooled, 4 * side * side, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2, 0]);
    }

    /// <summary>A very smooth input makes one element the maximum of all four windows around it; the gradient must add up.</summary>
    [Fact]
    public void MaxPool_scatter_adds_when_one_element_wins_several_windows()
    {
        var m = new OnnxModelBuilder(seed: 22);
        var x = m.Input("image", [1, 5, 5]);
        var target = m.Node("Identity", [x]);
        var pooled = m.Node("MaxPool", [target], Attr.Ints("kernel_shape", [3, 3]), Attr.Ints("strides", [2, 2]));
        var sum = m.Node("ReduceSum", [m.Node("Flatten", [pooled], Attr.Int("axis", 1)), m.Ints(1)], Attr.Int("keepdims", 1));
        m.Output(sum);

        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var image = new float[25];
        image[12] = 1f;
        var result = model.ForwardWithGradients([.. image, .. image], 2, [0, -1], target);
        Assert.Equal(4f, result.Gradients[12]);
        Assert.Equal(4f, result.Gradients[25 + 12]);
        Assert.Equal(8f, result.Gradients.Sum());
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void Padded_AveragePool_matches_finite_differences(int countIncludePad)
    {
        var m = new OnnxModelBuilder(seed: 23);
        var x = m.Input("image", [3, 9, 9]);
        var target = m.Stem(x, 3, 4);
        var pooled = m.Node("AveragePool", [target],
            Attr.Ints("kernel_shape", [3, 3]), Attr.Ints("strides", [2, 2]), Attr.Ints("pads", [1, 1, 1, 1]), Attr.Int("count_include_pad", countIncludePad));
        m.Output(m.ClassifierHead(m.Node("Tanh", [pooled]), 4 * 5 * 5, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 4]);
    }

    [Fact]
    public void AveragePool_with_ceil_mode_windows_past_the_input_is_refused()
    {
        var m = new OnnxModelBuilder(seed: 24);
        var x = m.Input("image", [3, 8, 8]);
        var target = m.Stem(x, 3, 4);
        var pooled = m.Node("AveragePool", [target], Attr.Ints("kernel_shape", [3, 3]), Attr.Ints("strides", [2, 2]), Attr.Int("ceil_mode", 1));
        m.Output(m.ClassifierHead(pooled, 4 * 4 * 4, 5));

        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[3 * 64], 1, [-1], target));
        Assert.Contains("ceil_mode", error.Message);
        Assert.Contains("AveragePool", error.Message);
    }

    [Fact]
    public void GlobalMaxPool_matches_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 25);
        var x = m.Input("image", [3, 6, 6]);
        var target = m.Stem(x, 3, 4);
        var pooled = m.Node("GlobalMaxPool", [target]);
        m.Output(m.ClassifierHead(pooled, 4, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    [Theory]
    [InlineData(13, 0)]
    [InlineData(13, 1)]
    [InlineData(18, 0)]
    [InlineData(18, 1)]
    public void ReduceMean_matches_finite_differences(int opset, int keepDims)
    {
        var m = new OnnxModelBuilder(seed: 26, opset);
        var x = m.Input("image", [3, 6, 6]);
        var target = m.Node("Tanh", [m.Stem(x, 3, 4)]);
        var reduced = opset >= 18
            ? m.Node("ReduceMean", [target, m.Ints(2, -1)], Attr.Int("keepdims", keepDims))
            : m.Node("ReduceMean", [target], Attr.Ints("axes", [2, -1]), Attr.Int("keepdims", keepDims));
        var features = keepDims == 1 ? m.Node("Flatten", [reduced], Attr.Int("axis", 1)) : reduced;
        m.Output(m.Node("Gemm", [features, m.Weight([5, 4], 20f), m.Weight([5], 0.3f)], Attr.Int("transB", 1)));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 3]);
    }

    /// <summary>F.normalize as torch exports it (ReduceL2 → Clip → Expand → Div), and a plain norm without kept axes.</summary>
    [Theory]
    [InlineData(13, 0)]
    [InlineData(13, 1)]
    [InlineData(18, 0)]
    [InlineData(18, 1)]
    public void ReduceL2_matches_finite_differences(int opset, int keepDims)
    {
        var m = new OnnxModelBuilder(seed: 28, opset);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Stem(x, 3, 4);
        string Norm(long[] axes) => opset >= 18
            ? m.Node("ReduceL2", [target, m.Ints(axes)], Attr.Int("keepdims", keepDims))
            : m.Node("ReduceL2", [target], Attr.Ints("axes", axes), Attr.Int("keepdims", keepDims));
        var channelNorm = Norm([1]);
        var kept = keepDims == 1 ? channelNorm : m.Node("Unsqueeze", [channelNorm, m.Ints(1)]);
        var clipped = m.Node("Clip", [kept, m.Floats([1e-3f], [])]);
        var unit = m.Node("Div", [target, m.Node("Expand", [clipped, m.Node("Shape", [target])])]);
        var rowNorms = m.Node("Flatten", [Norm([2, -1])], Attr.Int("axis", 1));
        m.Output(m.Node("Add", [m.ClassifierHead(unit, 4 * 16, 5), m.Dense(rowNorms, 4, 5)]));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 3]);
    }

    [Fact]
    public void BatchNormalization_matches_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 27);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Stem(x, 3, 4);
        var normalized = m.Node("BatchNormalization",
            [target, m.Uniform([4], 0.5f, 2f), m.Weight([4], 0.5f), m.Weight([4], 0.5f), m.Uniform([4], 0.2f, 3f)],
            Attr.Float("epsilon", 0.3f));
        m.Output(m.ClassifierHead(m.Node("Tanh", [normalized]), 4 * 25, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 0]);
    }
}

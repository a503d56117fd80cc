using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class ConvolutionGradientTests
{
    [Fact]
    public void Grouped_strided_dilated_padded_Conv_matches_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 1);
        var x = m.Input("image", [3, 10, 10]);
        var target = m.Node("Tanh", [m.Conv(x, 3, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        var conv = m.Conv(target, 4, 6, 3,
            Attr.Int("group", 2),
            Attr.Ints("strides", [2, 3]),
            Attr.Ints("dilations", [2, 1]),
            Attr.Ints("pads", [1, 2, 0, 1]));
        m.Output(m.ClassifierHead(m.Node("Tanh", [conv]), 6 * 4 * 4, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2, 4]);
    }

    [Fact]
    public void Depthwise_Conv_with_Relu_matches_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 2);
        var x = m.Input("image", [3, 9, 9]);
        var target = m.Node("Relu", [m.Conv(x, 3, 4, 3)]);
        var depthwise = m.Node("Relu", [m.Conv(target, 4, 4, 3, Attr.Int("group", 4), Attr.Ints("strides", [2, 2]), Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.PooledHead(depthwise, 4, 25, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 3]);
    }

    [Theory]
    [InlineData("SAME_UPPER")]
    [InlineData("SAME_LOWER")]
    [InlineData("VALID")]
    public void Auto_padded_strided_Conv_matches_finite_differences(string autoPad)
    {
        var m = new OnnxModelBuilder(seed: 3);
        var x = m.Input("image", [2, 8, 8]);
        var target = m.Node("Tanh", [m.Conv(x, 2, 3, 2)]);
        var conv = m.Conv(target, 3, 4, 3, Attr.String("auto_pad", autoPad), Attr.Ints("strides", [2, 2]));
        m.Output(m.ClassifierHead(m.Node("Tanh", [conv]), 4 * (autoPad == "VALID" ? 9 : 16), 3));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [0, -1]);
    }

    [Fact]
    public void Residual_fan_out_accumulates_every_path()
    {
        var m = new OnnxModelBuilder(seed: 4);
        var x = m.Input("image", [3, 6, 6]);
        var target = m.Node("Tanh", [m.Conv(x, 3, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        var branch = m.Node("Tanh", [m.Conv(target, 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        var residual = m.Node("Add", [target, branch]);
        var gated = m.Node("Mul", [residual, m.Node("Sigmoid", [target])]);
        m.Output(m.ClassifierHead(gated, 4 * 6 * 6, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1, 4]);
    }
}

using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Tests.TestModels;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class ElementwiseGradientTests
{
    /// <summary>The activation follows a ×3 scale so its input covers every piece (e.g. HardSwish's ±3).</summary>
    [Theory]
    [InlineData("Relu")]
    [InlineData("LeakyRelu")]
    [InlineData("PRelu")]
    [InlineData("Sigmoid")]
    [InlineData("Tanh")]
    [InlineData("HardSigmoid")]
    [InlineData("HardSwish")]
    [InlineData("ClipBoth")]
    [InlineData("ClipMin")]
    [InlineData("ClipMax")]
    [InlineData("ClipNone")]
    [InlineData("Neg")]
    [InlineData("Dropout")]
    [InlineData("Erf")]
    [InlineData("Exp")]
    [InlineData("Sqrt")]
    [InlineData("Cast")]
    [InlineData("Mean")]
    public void ActivationMatchesFiniteDifferences(string activation)
    {
        var m = new OnnxModelBuilder(seed: 40, opset: activation == "HardSwish" ? 14 : 13);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Stem(x, 3, 4);
        var scaled = m.Node("Mul", [target, m.Floats([3f], [])]);
        var activated = activation switch
        {
            "LeakyRelu" => m.Node("LeakyRelu", [scaled], Attr.Float("alpha", 0.2f)),
            "PRelu" => m.Node("PRelu", [scaled, m.Uniform([4, 1, 1], 0.1f, 0.5f)]),
            "HardSigmoid" => m.Node("HardSigmoid", [scaled], Attr.Float("alpha", 0.25f), Attr.Float("beta", 0.4f)),
            "ClipBoth" => m.Node("Clip", [scaled, m.Floats([-1f], []), m.Floats([2f], [])]),
            "ClipMin" => m.Node("Clip", [scaled, m.Floats([-1f], [])]),
            "ClipMax" => m.Node("Clip", [scaled, "", m.Floats([1f], [])]),
            "ClipNone" => m.Node("Clip", [scaled]),
            "Exp" => m.Node("Exp", [m.Node("Mul", [target, m.Floats([0.5f], [])])]),
            "Sqrt" => m.Node("Sqrt", [m.Node("Add", [m.Node("Mul", [scaled, scaled]), m.Floats([0.5f], [])])]),
            "Cast" => m.Node("Cast", [scaled], Attr.Int("to", 1)),
            "Mean" => m.Node("Mean", [scaled, m.Node("Tanh", [target]), m.Weight([4, 1, 1], 1f)]),
            _ => m.Node(activation, [scaled]),
        };
        m.Output(m.ClassifierHead(activated, 4 * 25, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    [Fact]
    public void BroadcastingArithmeticMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 41);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Node("Tanh", [m.Stem(x, 3, 4)]);
        var perChannel = m.Node("Mul", [target, m.Weight([4, 1, 1], 1.5f)]);
        var channelMean = m.Node("ReduceMean", [target], Attr.Ints("axes", [1]), Attr.Int("keepdims", 1));
        var centred = m.Node("Sub", [perChannel, channelMean]);
        var shifted = m.Node("Sub", [m.Weight([1, 4, 1, 4], 1f), centred]);
        var denominator = m.Node("Add", [m.Node("Sigmoid", [target]), m.Floats([0.5f], [])]);
        var ratio = m.Node("Div", [shifted, denominator]);
        var swish = m.Node("Mul", [target, m.Node("Sigmoid", [target])]);
        var rowScale = m.Node("ReduceSum", [target, m.Ints(3)], Attr.Int("keepdims", 1));
        var summed = m.Node("Sum", [ratio, swish, m.Node("Div", [rowScale, m.Floats([4f], [])])]);
        m.Output(m.ClassifierHead(summed, 4 * 16, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2, 3]);
    }
}

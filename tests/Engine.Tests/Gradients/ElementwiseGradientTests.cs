using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;

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
    [InlineData("Log")]
    [InlineData("PowSquare")]
    [InlineData("PowIntegerCube")]
    [InlineData("PowTensor")]
    [InlineData("TanhGelu")]
    [InlineData("Gelu")]
    [InlineData("GeluTanh")]
    public void Activation_matches_finite_differences(string activation)
    {
        var m = new OnnxModelBuilder(seed: 40, opset: activation switch { "HardSwish" => 14, "Gelu" or "GeluTanh" => 20, _ => 13 });
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
            "Log" => m.Node("Log", [m.Node("Add", [m.Node("Sigmoid", [scaled]), m.Floats([0.2f], [])])]),
            "PowSquare" => m.Node("Pow", [target, m.Floats([2f], [])]),
            "PowIntegerCube" => m.Node("Pow", [target, m.Ints(3)]),
            "PowTensor" => m.Node("Pow", [m.Node("Add", [m.Node("Sigmoid", [scaled]), m.Floats([0.5f], [])]), m.Uniform([4, 1, 1], 0.5f, 2.5f)]),
            "TanhGelu" => TanhGelu(m, target),
            "GeluTanh" => m.Node("Gelu", [scaled], Attr.String("approximate", "tanh")),
            _ => m.Node(activation, [scaled]),
        };
        m.Output(m.ClassifierHead(activated, 4 * 25, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    /// <summary>GELU's tanh approximation as exporters write it: 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    private static string TanhGelu(OnnxModelBuilder m, string x)
    {
        var cube = m.Node("Mul", [m.Node("Pow", [x, m.Floats([3f], [])]), m.Floats([0.044715f], [])]);
        var inner = m.Node("Mul", [m.Node("Add", [x, cube]), m.Floats([MathF.Sqrt(2f / MathF.PI)], [])]);
        var gate = m.Node("Add", [m.Node("Tanh", [inner]), m.Floats([1f], [])]);
        return m.Node("Mul", [m.Node("Mul", [x, m.Floats([0.5f], [])]), gate]);
    }

    /// <summary>Softmax inside the network (not the final one, which the logits locator strips), on several axes.</summary>
    [Theory]
    [InlineData("Softmax", 1)]
    [InlineData("Softmax", -1)]
    [InlineData("Softmax", null)]
    [InlineData("LogSoftmax", 2)]
    [InlineData("LogSoftmax", null)]
    public void Softmax_matches_finite_differences(string opType, int? axis)
    {
        var m = new OnnxModelBuilder(seed: 44);
        var x = m.Input("image", [3, 4, 5]);
        var target = m.Stem(x, 3, 3);
        var scaled = m.Node("Mul", [target, m.Floats([2f], [])]);
        var normalized = axis is { } a ? m.Node(opType, [scaled], Attr.Int("axis", a)) : m.Node(opType, [scaled]);
        var mixed = m.Node("Add", [normalized, m.Node("Mul", [target, m.Floats([0.1f], [])])]);
        m.Output(m.ClassifierHead(mixed, 3 * 20, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    [Fact]
    public void Where_and_Expand_match_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 42);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Stem(x, 3, 4);
        var rowMean = m.Node("ReduceMean", [target], Attr.Ints("axes", [2]), Attr.Int("keepdims", 1));
        var stretched = m.Node("Expand", [m.Node("Tanh", [rowMean]), m.Ints(1, 1, 4, 1)]);
        var condition = m.Node("Greater", [m.Weight([1, 4, 4], 1f), m.Floats([0f], [])]);
        var picked = m.Node("Where", [condition, m.Node("Tanh", [target]), stretched]);
        var masked = m.Node("Where", [condition, m.Floats([-1f], []), m.Node("Sigmoid", [target])]);
        m.Output(m.ClassifierHead(m.Node("Add", [picked, masked]), 4 * 16, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2]);
    }

    [Fact]
    public void Pow_with_an_exponent_from_the_target_is_refused()
    {
        var m = new OnnxModelBuilder(seed: 43);
        var x = m.Input("image", [3, 4, 4]);
        var target = m.Node("Tanh", [m.Stem(x, 3, 2)]);
        var power = m.Node("Pow", [m.Floats([2f], []), target]);
        m.Output(m.ClassifierHead(power, 2 * 16, 3));

        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[48], 1, [-1], target));
        Assert.Contains(m.NodeNameOf(power), error.Message);
        Assert.Contains("exponent depends on the target layer", error.Message);
    }

    [Fact]
    public void Broadcasting_arithmetic_matches_finite_differences()
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

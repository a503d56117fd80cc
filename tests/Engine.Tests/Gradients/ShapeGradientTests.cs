using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Tests.TestModels;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class ShapeGradientTests
{
    [Fact]
    public void TransposeSqueezeUnsqueezeReshapeMatchFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 50);
        var x = m.Input("image", [3, 4, 5]);
        var target = m.Stem(x, 3, 2);
        var channelsLast = m.Node("Transpose", [target], Attr.Ints("perm", [0, 2, 3, 1]));
        var rows = m.Node("ReduceMean", [channelsLast], Attr.Ints("axes", [2]), Attr.Int("keepdims", 1));
        var squeezed = m.Node("Squeeze", [rows, m.Ints(2)]);
        var unsqueezed = m.Node("Unsqueeze", [m.Node("Tanh", [squeezed]), m.Ints(1)]);
        var mixed = m.Node("Add", [m.Node("Identity", [unsqueezed]), m.Node("Reshape", [m.Node("Tanh", [channelsLast]), m.Ints(0, 5, 4, 2)])]);
        m.Output(m.ClassifierHead(mixed, 5 * 4 * 2, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 3]);
    }

    [Fact]
    public void ConcatMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 51);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Stem(x, 3, 3);
        var branch = m.Node("Tanh", [m.Conv(target, 3, 2, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        var joined = m.Node("Concat", [m.Node("Tanh", [target]), m.Stem(x, 3, 1), branch], Attr.Int("axis", -3));
        m.Output(m.ClassifierHead(joined, 6 * 25, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 0, 4]);
    }

    [Fact]
    public void SliceWithStepsAndNegativeIndicesMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 52);
        var x = m.Input("image", [3, 9, 9]);
        var target = m.Stem(x, 3, 4);
        var strided = m.Node("Slice", [target, m.Ints(1, 8), m.Ints(8, 0), m.Ints(2, 3), m.Ints(2, -3)]);
        var channels = m.Node("Slice", [strided, m.Ints(1), m.Ints(-1), m.Ints(1)]);
        var tail = m.Node("Slice", [target, m.Ints(-4, 0), m.Ints(long.MaxValue, 9), m.Ints(-1, 2), m.Ints(3, 4)]);
        var reversed = m.Node("Slice", [target, m.Ints(-1), m.Ints(long.MinValue), m.Ints(3), m.Ints(-1)]);
        m.Output(m.Node("Add", [
            m.Node("Add", [m.ClassifierHead(m.Node("Tanh", [channels]), 2 * 4 * 3, 5), m.ClassifierHead(tail, 4 * 3 * 2, 5)]),
            m.ClassifierHead(m.Node("Tanh", [reversed]), 4 * 81, 5)]));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2]);
    }

    [Fact]
    public void ConstantPadWithCroppingMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 53);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Stem(x, 3, 2);
        var padded = m.Node("Pad", [target, m.Ints(0, 1, 1, 2, 0, 0, 2, -1), m.Floats([0.5f], [])]);
        var conv = m.Conv(padded, 3, 2, 3);
        m.Output(m.ClassifierHead(m.Node("Tanh", [conv]), 2 * 6 * 4, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }
}

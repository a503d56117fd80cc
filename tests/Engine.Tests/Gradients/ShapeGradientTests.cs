using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class ShapeGradientTests
{
    [Fact]
    public void Transpose_Squeeze_Unsqueeze_and_Reshape_match_finite_differences()
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
    public void Concat_matches_finite_differences()
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
    public void Slice_with_steps_and_negative_indices_matches_finite_differences()
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
    public void Constant_Pad_with_cropping_matches_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 53);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Stem(x, 3, 2);
        var padded = m.Node("Pad", [target, m.Ints(0, 1, 1, 2, 0, 0, 2, -1), m.Floats([0.5f], [])]);
        var conv = m.Conv(padded, 3, 2, 3);
        m.Output(m.ClassifierHead(m.Node("Tanh", [conv]), 2 * 6 * 4, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    /// <summary>A class token (scalar index), an index matrix with repeated and negative entries, and Swin's qkv[0] on axis 0 of a permuted tensor.</summary>
    [Fact]
    public void Gather_matches_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 54);
        var x = m.Input("image", [3, 4, 5]);
        var target = m.Stem(x, 3, 3);
        var tokens = m.Node("Transpose", [m.Node("Reshape", [target, m.Ints(0, 3, 20)])], Attr.Ints("perm", [0, 2, 1]));
        var classToken = m.Node("Gather", [tokens, ScalarIndex(m, 0)], Attr.Int("axis", 1));
        var picked = m.Node("Gather", [m.Node("Tanh", [target]), Indices(m, [2, 0, -1, 2, 4, 0], [2, 3])], Attr.Int("axis", 3));
        var channelsFirst = m.Node("Transpose", [target], Attr.Ints("perm", [1, 0, 2, 3]));
        var second = m.Node("Gather", [channelsFirst, ScalarIndex(m, -2)]);
        m.Output(m.Node("Add", [
            m.Node("Add", [m.ClassifierHead(classToken, 3, 5), m.ClassifierHead(picked, 3 * 4 * 6, 5)]),
            m.ClassifierHead(m.Node("Sigmoid", [second]), 20, 5)]));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2]);
    }

    /// <summary>Opset 13 sizes as an input (an unused output gets zeros), equal parts without sizes, opset 18's num_outputs.</summary>
    [Theory]
    [InlineData(13, true)]
    [InlineData(13, false)]
    [InlineData(18, false)]
    public void Split_matches_finite_differences(int opset, bool sizes)
    {
        var m = new OnnxModelBuilder(seed: 55, opset: opset);
        var x = m.Input("image", [3, 4, 6]);
        var target = m.Stem(x, 3, 2);
        List<string> inputs = [target];
        if (sizes)
        {
            inputs.Add(m.Ints(1, 3, 2));
        }

        var attributes = opset >= 18 ? new[] { Attr.Int("axis", -1), Attr.Int("num_outputs", 3) } : [Attr.Int("axis", -1)];
        var parts = m.Node("Split", [.. inputs], 3, attributes);
        var width = sizes ? 1 + 2 : 2 + 2;
        var used = m.Node("Concat", [m.Node("Tanh", [parts[0]]), parts[2]], Attr.Int("axis", 3));
        m.Output(m.ClassifierHead(used, 2 * 4 * width, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 4]);
    }

    /// <summary>Bounds and pads computed from shapes at run time, and edge/reflect padding.</summary>
    [Theory]
    [InlineData("SliceComputed")]
    [InlineData("PadComputed")]
    [InlineData("PadEdge")]
    [InlineData("PadReflect")]
    public void Selections_with_run_time_geometry_match_finite_differences(string kind)
    {
        var m = new OnnxModelBuilder(seed: 56);
        var x = m.Input("image", [3, 5, 6]);
        var target = m.Stem(x, 3, 2);
        var width = m.Node("Gather", [m.Node("Shape", [target]), m.Ints(3)]);
        var half = m.Node("Div", [width, m.Ints(2)]);
        var (selected, features) = kind switch
        {
            "SliceComputed" => (m.Node("Slice", [target, m.Node("Sub", [half, m.Ints(1)]), width, m.Ints(3), m.Ints(2)]), 2 * 5 * 2),
            "PadComputed" => (m.Node("Pad", [target, m.Node("Concat", [m.Ints(0, 0, 1), m.Node("Sub", [half, m.Ints(4)]), m.Ints(0, 0, 0), half], Attr.Int("axis", 0))]), 2 * 6 * 8),
            "PadEdge" => (m.Node("Pad", [target, m.Ints(0, 0, 2, 1, 0, 0, 1, 3)], Attr.String("mode", "edge")), 2 * 8 * 10),
            _ => (m.Node("Pad", [target, m.Ints(0, 0, 2, 1, 0, 0, 1, 3)], Attr.String("mode", "reflect")), 2 * 8 * 10),
        };
        m.Output(m.ClassifierHead(m.Node("Tanh", [selected]), features, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    private static string ScalarIndex(OnnxModelBuilder m, long index)
    {
        var name = m.Ints(index);
        return m.Node("Squeeze", [name]);
    }

    private static string Indices(OnnxModelBuilder m, long[] values, long[] shape)
        => m.Node("Reshape", [m.Ints(values), m.Ints(shape)]);
}

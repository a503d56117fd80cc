using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Tests.TestModels;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class LinearGradientTests
{
    [Fact]
    public void GemmWithTransposedActivationOperandMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 30);
        var x = m.Input("image", [3, 3, 3]);
        var target = m.Stem(x, 3, 2);
        var features = m.Node("Tanh", [m.Node("Flatten", [target], Attr.Int("axis", 1))]);
        var transposed = m.Node("Transpose", [features], Attr.Ints("perm", [1, 0]));
        var logits = m.Node("Gemm", [transposed, m.Weight([18, 5], 0.8f), m.Weight([5], 0.3f)],
            Attr.Int("transA", 1), Attr.Float("alpha", 1.5f), Attr.Float("beta", 0.5f));
        m.Output(logits);

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2, 4]);
    }

    [Fact]
    public void GemmWithActivationAsSecondOperandMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 31);
        var x = m.Input("image", [3, 3, 3]);
        var target = m.Stem(x, 3, 2);
        var features = m.Node("Tanh", [m.Node("Flatten", [target], Attr.Int("axis", 1))]);
        var scoresByClass = m.Node("Gemm", [m.Weight([5, 18], 0.8f), features], Attr.Int("transB", 1), Attr.Float("alpha", 0.7f));
        m.Output(m.Node("Transpose", [scoresByClass], Attr.Ints("perm", [1, 0])));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [3, -1]);
    }

    [Fact]
    public void GemmWithActivationAsTransposedSecondOperandAndTransposedFirstMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 32);
        var x = m.Input("image", [3, 3, 3]);
        var target = m.Stem(x, 3, 2);
        var features = m.Node("Tanh", [m.Node("Flatten", [target], Attr.Int("axis", 1))]);
        var transposed = m.Node("Transpose", [features], Attr.Ints("perm", [1, 0]));
        var scoresByClass = m.Node("Gemm", [m.Weight([18, 5], 0.8f), transposed], Attr.Int("transA", 1));
        m.Output(m.Node("Transpose", [scoresByClass], Attr.Ints("perm", [1, 0])));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 0]);
    }

    [Fact]
    public void BatchedMatMulWithBroadcastMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 33);
        var x = m.Input("image", [3, 3, 3]);
        var target = m.Stem(x, 3, 4);
        var rows = m.Node("Reshape", [target, m.Ints(0, 1, 4, 9)]);
        var left = m.Node("MatMul", [rows, m.Weight([2, 9, 5], 0.8f)]);
        var mixed = m.Node("MatMul", [m.Weight([3, 4], 0.8f), m.Node("Tanh", [left])]);
        m.Output(m.ClassifierHead(mixed, 2 * 3 * 5, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1, 2]);
    }

    [Fact]
    public void MatMulOfTwoActivationsMatchesFiniteDifferences()
    {
        var m = new OnnxModelBuilder(seed: 34);
        var x = m.Input("image", [3, 3, 3]);
        var target = m.Stem(x, 3, 4);
        var rows = m.Node("Reshape", [target, m.Ints(0, 4, 9)]);
        var columns = m.Node("Transpose", [m.Node("Tanh", [rows])], Attr.Ints("perm", [0, 2, 1]));
        var gram = m.Node("MatMul", [rows, columns]);
        m.Output(m.ClassifierHead(gram, 16, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 4]);
    }
}

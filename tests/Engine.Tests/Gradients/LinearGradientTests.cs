using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class LinearGradientTests
{
    [Fact]
    public void Gemm_with_a_transposed_activation_operand_matches_finite_differences()
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
    public void Gemm_with_the_activation_as_second_operand_matches_finite_differences()
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
    public void Gemm_with_the_activation_as_transposed_second_operand_and_a_transposed_first_matches_finite_differences()
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
    public void Batched_MatMul_with_broadcast_matches_finite_differences()
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
    public void MatMul_of_two_activations_matches_finite_differences()
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

    /// <summary>
    /// Multi-head attention with keys and values shared by the heads (broadcast over the head axis):
    /// both operands of Q·Kᵀ and A·V depend on the target.
    /// </summary>
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Attention_matches_finite_differences(bool einsum)
    {
        var m = new OnnxModelBuilder(seed: 35);
        var x = m.Input("image", [3, 3, 3]);
        var target = m.Stem(x, 3, 4);
        var tokens = m.Node("Transpose", [m.Node("Reshape", [target, m.Ints(0, 4, 9)])], Attr.Ints("perm", [0, 2, 1]));
        var queries = m.Node("Transpose", [m.Node("Reshape", [m.Node("MatMul", [tokens, m.Weight([4, 4])]), m.Ints(0, 9, 2, 2)])], Attr.Ints("perm", [0, 2, 1, 3]));
        var keys = m.Node("Unsqueeze", [m.Node("MatMul", [tokens, m.Weight([4, 2])]), m.Ints(1)]);
        var values = m.Node("Unsqueeze", [m.Node("Tanh", [m.Node("MatMul", [tokens, m.Weight([4, 2])])]), m.Ints(1)]);
        string attention, mixed;
        if (einsum)
        {
            // Expanded to the heads, as einsum subscripts do not broadcast; upper case and spaces as torch writes them.
            var heads = m.Ints(1, 2, 1, 1);
            var scores = m.Node("Einsum", [queries, m.Node("Expand", [keys, heads])], Attr.String("equation", "B H I D, B H J D -> B H I J"));
            attention = m.Node("Softmax", [m.Node("Mul", [scores, m.Floats([0.7f], [])])], Attr.Int("axis", -1));
            mixed = m.Node("Einsum", [attention, m.Node("Expand", [values, heads])], Attr.String("equation", "B H I J, B H J D -> B H I D"));
        }
        else
        {
            var scores = m.Node("MatMul", [queries, m.Node("Transpose", [keys], Attr.Ints("perm", [0, 1, 3, 2]))]);
            attention = m.Node("Softmax", [m.Node("Mul", [scores, m.Floats([0.7f], [])])], Attr.Int("axis", -1));
            mixed = m.Node("MatMul", [attention, values]);
        }

        m.Output(m.ClassifierHead(mixed, 2 * 9 * 2, 5));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 3]);
    }

    /// <summary>One operand; a subscript summed away in the operand alone (broadcast back); operands swapped.</summary>
    [Fact]
    public void Einsum_reductions_match_finite_differences()
    {
        var m = new OnnxModelBuilder(seed: 36);
        var x = m.Input("image", [3, 4, 5]);
        var target = m.Stem(x, 3, 3);
        var rowSums = m.Node("Einsum", [m.Node("Tanh", [target])], Attr.String("equation", "bchw->bwc"));
        var projected = m.Node("Einsum", [m.Weight([3, 2]), target], Attr.String("equation", "cd,bchw->bdw"));
        m.Output(m.Node("Add", [m.ClassifierHead(rowSums, 5 * 3, 5), m.ClassifierHead(projected, 2 * 5, 5)]));

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 1]);
    }

    [Theory]
    [InlineData("...w,wd->...d", "ellipsis")]
    [InlineData("nchw,cwd->nchd", "subscript 'c' broadcasts")]
    public void Unsupported_Einsum_is_refused(string equation, string reason)
    {
        var m = new OnnxModelBuilder(seed: 37);
        var x = m.Input("image", [3, 4, 5]);
        var target = m.Stem(x, 3, 3);
        var product = m.Node("Einsum", [target, m.Weight(equation.StartsWith("...", StringComparison.Ordinal) ? [5, 2] : [1, 5, 2])], Attr.String("equation", equation));
        m.Output(m.ClassifierHead(product, 3 * 4 * 2, 3));

        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[60], 1, [-1], target));
        Assert.Contains(m.NodeNameOf(product), error.Message);
        Assert.Contains(reason, error.Message);
    }
}


using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class ModelPreparationTests
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    [Fact]
    public void Softmax_ended_model_is_explained_before_the_Softmax()
    {
        var m = new OnnxModelBuilder(seed: 60);
        var x = m.Input("image", [3, 6, 6]);
        var features = m.Node("Relu", [m.Stem(x, 3, 4)]);
        var logits = m.ClassifierHead(features, 4 * 36, 5);
        m.Output(m.Node("Reshape", [m.Node("Softmax", [logits], Attr.Int("axis", 1)), m.Ints(0, -1)]));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.Equal(logits, model.LogitsName);
        Assert.Equal(features, model.DefaultTargetLayer);
        var scores = model.Forward(FiniteDifferenceChecker.RandomInput(2 * 108, 1), 2);
        Assert.NotEqual(1f, scores.Take(5).Sum(), 2);

        FiniteDifferenceChecker.AssertMatches(m.Build(), null, [-1, 3]);
    }

    [Fact]
    public void LogSoftmax_ended_model_is_explained_before_the_LogSoftmax()
    {
        var m = new OnnxModelBuilder(seed: 61);
        var x = m.Input("image", [3, 6, 6]);
        var logits = m.ClassifierHead(m.Node("Tanh", [m.Stem(x, 3, 4)]), 4 * 36, 5);
        m.Output(m.Node("Identity", [m.Node("LogSoftmax", [logits], Attr.Int("axis", -1))]));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.Equal(logits, model.LogitsName);
    }

    /// <summary>Exported with batch 1 and Reshape(x, [1, -1]); the loader rewrites the 1 so batches work.</summary>
    [Fact]
    public void Fixed_batch_of_one_model_with_a_Reshape_head_gains_batching()
    {
        var m = new OnnxModelBuilder(seed: 62);
        var x = m.Input("image", [3, 4, 4], fixedBatch: 1);
        var target = m.Node("Relu", [m.Stem(x, 3, 2)]);
        var pooled = m.Node("MaxPool", [target], Attr.Ints("kernel_shape", [2, 2]), Attr.Ints("strides", [2, 2]));
        m.Output(m.Dense(m.Node("Reshape", [pooled, m.Ints(1, -1)]), 8, 4));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.True(model.SupportsBatching);
        Assert.Equal(pooled, model.DefaultTargetLayer);
        Assert.Equal([1, 2, 4, 4], model.TensorShape(target));
        AssertBatchEqualsSingleRuns(model, batch: 3);
    }

    /// <summary>Flatten(axis=0) mixes images; the model runs one image at a time and still answers whole batches.</summary>
    [Fact]
    public void Model_that_cannot_batch_runs_images_one_at_a_time()
    {
        var m = new OnnxModelBuilder(seed: 63);
        var x = m.Input("image", [3, 4, 4], fixedBatch: 1);
        var target = m.Node("Tanh", [m.Stem(x, 3, 2)]);
        m.Output(m.Dense(m.Node("Flatten", [target], Attr.Int("axis", 0)), 32, 4));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.False(model.SupportsBatching);
        AssertBatchEqualsSingleRuns(model, batch: 3);
    }

    [Fact]
    public void Batched_results_equal_single_image_runs()
    {
        var m = new OnnxModelBuilder(seed: 64);
        var x = m.Input("image", [3, 8, 8]);
        var target = m.Node("Relu", [m.Stem(x, 3, 4)]);
        var pooled = m.Node("MaxPool", [target], Attr.Ints("kernel_shape", [3, 3]), Attr.Ints("strides", [2, 2]), Attr.Ints("pads", [1, 1, 1, 1]));
        var conv = m.Node("Relu", [m.Conv(pooled, 4, 6, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.PooledHead(conv, 6, 16, 5));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.True(model.SupportsBatching);
        AssertBatchEqualsSingleRuns(model, batch: 4);
    }

    [Fact]
    public void Fixed_forward_batch_pads_the_last_piece_and_keeps_every_images_logits()
    {
        var m = new OnnxModelBuilder(seed: 65);
        var x = m.Input("image", [3, 8, 8]);
        var conv = m.Node("Relu", [m.Stem(x, 3, 4)]);
        m.Output(m.PooledHead(conv, 4, 16, 5));
        var bytes = m.Build();
        var input = new float[7 * 3 * 8 * 8];
        var random = new Random(3);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)random.NextDouble() - 0.5f;
        }

        using var asGiven = ClassifierModel.Load(bytes, Cpu);
        using var fixedPieces = ClassifierModel.Load(bytes, Cpu with { FixedForwardBatch = 3 });

        var expected = asGiven.Forward(input, 7);
        var actual = fixedPieces.Forward(input, 7);

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 5);
        }
    }

    /// <summary>The tests use the CPU-only native runtime, so Auto must fall back to CPU rather than fail.</summary>
    [Fact]
    public void Auto_provider_falls_back_to_CPU_without_CUDA()
    {
        var m = new OnnxModelBuilder(seed: 68);
        var x = m.Input("image", [3, 4, 4]);
        m.Output(m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 2)]), 32, 3));

        using var model = ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Auto });
        Assert.Equal("CPU", model.ExecutionProvider);
        Assert.Equal(3, model.Forward(new float[48], 1).Length);
        Assert.Throws<ExecutionProviderUnavailableException>(() => ClassifierModel.Load(m.Build(), new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cuda }));
    }

    [Fact]
    public void Nodes_out_of_order_are_sorted_before_the_backward_pass()
    {
        var m = new OnnxModelBuilder(seed: 69);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Node("Tanh", [m.Stem(x, 3, 4)]);
        var branch = m.Node("Tanh", [m.Conv(target, 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.ClassifierHead(m.Node("Add", [target, branch]), 4 * 25, 5));
        m.ReverseNodeOrder();

        FiniteDifferenceChecker.AssertMatches(m.Build(), target, [-1, 2]);
    }

    [Fact]
    public void Concurrent_calls_on_several_layers_give_the_sequential_results()
    {
        var m = new OnnxModelBuilder(seed: 70);
        var x = m.Input("image", [3, 6, 6]);
        var first = m.Node("Relu", [m.Stem(x, 3, 4)]);
        var second = m.Node("Relu", [m.Conv(first, 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.PooledHead(second, 4, 36, 5));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        string[] layers = [first, second];
        var input = FiniteDifferenceChecker.RandomInput(2 * 108, seed: 9);
        var expected = layers.Select(l => model.ForwardWithGradients(input, 2, [-1, 1], l).Gradients).ToArray();

        Assert.All(expected, g => Assert.Contains(g, value => value != 0f));
        using var fresh = ClassifierModel.Load(m.Build(), Cpu);
        var results = new float[16][];
        Parallel.For(0, results.Length, i => results[i] = fresh.ForwardWithGradients(input, 2, [-1, 1], layers[i % 2]).Gradients);
        for (var i = 0; i < results.Length; i++)
        {
            Assert.Equal(expected[i % 2], results[i]);
        }
    }

    [Fact]
    public void Disposed_model_refuses_work()
    {
        var m = new OnnxModelBuilder(seed: 71);
        var x = m.Input("image", [3, 4, 4]);
        m.Output(m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 2)]), 32, 3));

        var model = ClassifierModel.Load(m.Build(), Cpu);
        model.ForwardWithGradients(new float[48], 1, [-1]);
        model.Dispose();
        model.Dispose();
        Assert.Throws<ObjectDisposedException>(() => model.Forward(new float[48], 1));
        Assert.Throws<ObjectDisposedException>(() => model.ForwardWithGradients(new float[48], 1, [-1]));
    }

    [Fact]
    public void Opset_below_13_is_refused_with_a_hint()
    {
        var m = new OnnxModelBuilder(seed: 65, opset: 12);
        var x = m.Input("image", [3, 4, 4]);
        m.Output(m.ClassifierHead(m.Stem(x, 3, 2), 32, 3));

        var error = Assert.Throws<UnsupportedModelException>(() => ClassifierModel.Load(m.Build(), Cpu));
        Assert.Contains("opset", error.Message);
        Assert.Contains("13", error.Message);
    }

    [Fact]
    public void Model_without_an_image_input_is_refused()
    {
        var m = new OnnxModelBuilder(seed: 66);
        var x = m.Input("features", [10]);
        m.Output(m.Dense(x, 10, 3));

        var error = Assert.Throws<UnsupportedModelException>(() => ClassifierModel.Load(m.Build(), Cpu));
        Assert.Contains("rank 4", error.Message);
    }

    [Fact]
    public void Target_classes_outside_the_model_are_rejected()
    {
        var m = new OnnxModelBuilder(seed: 67);
        var x = m.Input("image", [3, 4, 4]);
        m.Output(m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 2)]), 32, 3));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.Throws<ArgumentOutOfRangeException>(() => model.ForwardWithGradients(new float[48], 1, [3]));
        Assert.Throws<ArgumentException>(() => model.ForwardWithGradients(new float[48], 1, [0, 1]));
        Assert.Throws<ArgumentException>(() => model.Forward(new float[47], 1));
    }

    internal static void AssertBatchEqualsSingleRuns(ClassifierModel model, int batch, float tolerance = 1e-5f)
    {
        var imageSize = model.InputChannels * model.InputHeight * model.InputWidth;
        var input = FiniteDifferenceChecker.RandomInput(batch * imageSize, seed: 5);
        var classes = Enumerable.Range(0, batch).Select(i => i % 2 == 0 ? -1 : i % model.ClassCount).ToArray();
        var batched = model.ForwardWithGradients(input, batch, classes);
        var logits = model.Forward(input, batch);
        var perImage = batched.ActivationShape.Aggregate(1, (a, d) => a * d);
        for (var b = 0; b < batch; b++)
        {
            var image = input.AsSpan(b * imageSize, imageSize);
            var single = model.ForwardWithGradients(image, 1, [classes[b]]);
            Assert.Equal(single.TargetClasses[0], batched.TargetClasses[b]);
            AssertClose(single.Logits, batched.Logits.AsSpan(b * model.ClassCount, model.ClassCount), tolerance);
            AssertClose(model.Forward(image, 1), logits.AsSpan(b * model.ClassCount, model.ClassCount), tolerance);
            AssertClose(single.Activations, batched.Activations.AsSpan(b * perImage, perImage), tolerance);
            AssertClose(single.Gradients, batched.Gradients.AsSpan(b * perImage, perImage), tolerance);
        }

        Assert.Contains(batched.Gradients, g => g != 0f);
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance * (1 + Math.Abs(expected[i])), $"element {i}: {expected[i]} vs {actual[i]}");
        }
    }
}

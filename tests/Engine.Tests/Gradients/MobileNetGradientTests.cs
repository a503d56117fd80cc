using Onnx;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

/// <summary>
/// On the shared MobileNetV2 the head after Conv_1/Relu6 is GlobalAveragePool → 1×1 Conv → Reshape →
/// Slice(1:1001), so d logit_c / dA[k, i, j] = W[c + 1, k] / 49 exactly.
/// </summary>
public sealed class MobileNetGradientTests : IClassFixture<MobileNetGradientTests.MobileNetFixture>
{
    private const string TargetLayer = "MobilenetV2/Conv_1/Relu6";
    private const string ClassifierWeights = "MobilenetV2/Logits/Conv2d_1c_1x1/weights";
    private readonly MobileNetFixture fixture;

    public MobileNetGradientTests(MobileNetFixture fixture) => this.fixture = fixture;

    [Fact]
    public void Model_reports_its_input_logits_classes_default_layer_and_provider()
    {
        var model = fixture.Model;
        Assert.Equal("input", model.InputName);
        Assert.Equal((3, 224, 224), (model.InputChannels, model.InputHeight, model.InputWidth));
        Assert.Equal(1000, model.ClassCount);
        Assert.Equal("logits", model.LogitsName);
        Assert.Equal(TargetLayer, model.DefaultTargetLayer);
        Assert.True(model.SupportsBatching);
        Assert.Equal([1, 1280, 7, 7], model.TensorShape(TargetLayer));
        Assert.Equal("CPU", model.ExecutionProvider);
    }

    [Fact]
    public void Gradient_at_the_last_activation_is_the_classifier_weight_over_49()
    {
        var model = fixture.Model;
        var input = FiniteDifferenceChecker.RandomInput(2 * 3 * 224 * 224, seed: 11);
        var result = model.ForwardWithGradients(input, 2, [-1, 281]);

        Assert.Equal([1280, 7, 7], result.ActivationShape);
        Assert.Equal(281, result.TargetClasses[1]);
        var logits = result.Logits;
        Assert.Equal(Array.IndexOf(logits, logits.Take(1000).Max()), result.TargetClasses[0]);

        var weights = fixture.ClassifierWeights;
        for (var b = 0; b < 2; b++)
        {
            var row = result.TargetClasses[b] + 1;
            for (var k = 0; k < 1280; k++)
            {
                var expected = weights[(row * 1280) + k] / 49f;
                for (var p = 0; p < 49; p++)
                {
                    var actual = result.Gradients[(((b * 1280) + k) * 49) + p];
                    Assert.True(Math.Abs(actual - expected) <= 1e-6f + (1e-5f * Math.Abs(expected)), $"image {b}, channel {k}, position {p}: {actual} vs {expected}");
                }
            }
        }
    }

    [Fact]
    public void Gradient_run_returns_the_forward_logits_and_activations_of_the_layer()
    {
        var model = fixture.Model;
        var input = FiniteDifferenceChecker.RandomInput(3 * 224 * 224, seed: 12);
        var result = model.ForwardWithGradients(input, 1, [-1]);
        var forward = model.Forward(input, 1);
        for (var i = 0; i < forward.Length; i++)
        {
            Assert.Equal(forward[i], result.Logits[i], 1e-4f);
        }

        Assert.All(result.Activations, a => Assert.InRange(a, 0f, 6f));
    }

    /// <summary>
    /// Deep inside the network the backward pass crosses residual Adds, ReLU6 Clips and strided depthwise
    /// Convs with asymmetric (TF SAME) pads. Finite differences of every element would take too long, so
    /// the largest gradients and a random sample (away from a ReLU6 kink at the layer itself) are checked.
    /// A random direction through all elements is no good here: this dequantized model has activations
    /// that are exactly 0 at a ReLU6 kink, where one-sided and central differences disagree.
    /// </summary>
    [Theory]
    [InlineData("MobilenetV2/expanded_conv_5/add")]
    [InlineData("MobilenetV2/expanded_conv_14/depthwise/BiasAdd")]
    public void Deep_gradient_matches_finite_differences_on_sampled_elements(string layer)
    {
        const float epsilon = 1e-2f;
        var model = fixture.Model;
        var image = FiniteDifferenceChecker.RandomInput(3 * 224 * 224, seed: 13);
        var result = model.ForwardWithGradients(image, 1, [281], layer);
        var gradients = result.Gradients;
        var largest = gradients.Max(MathF.Abs);
        var random = new Random(5);
        var elements = Enumerable.Range(0, gradients.Length).OrderByDescending(i => Math.Abs(gradients[i])).Take(16)
            .Concat(Enumerable.Range(0, 400).Select(_ => random.Next(gradients.Length)).Where(i => Math.Abs(result.Activations[i]) > 5 * epsilon).Take(16))
            .ToArray();

        var rows = new List<(int Image, float[] Activation)>();
        foreach (var element in elements)
        {
            foreach (var sign in new[] { 1f, -1f })
            {
                var activation = (float[])result.Activations.Clone();
                activation[element] += sign * epsilon;
                rows.Add((0, activation));
            }
        }

        var scores = TargetScores(layer, image, result, rows);
        var failures = new List<string>();
        for (var k = 0; k < elements.Length; k++)
        {
            var difference = (scores[2 * k] - scores[(2 * k) + 1]) / (2.0 * epsilon);
            var graph = gradients[elements[k]];
            if (Math.Abs(difference - graph) > (0.03 * largest) + (0.03 * Math.Abs(graph)))
            {
                failures.Add($"element {elements[k]}: graph {graph:G5}, finite difference {difference:G5}");
            }
        }

        Assert.True(largest > 1e-3f);
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    [Fact]
    public void Batch_of_three_equals_three_single_image_runs()
        => ModelPreparationTests.AssertBatchEqualsSingleRuns(fixture.Model, batch: 3, tolerance: 1e-4f);

    /// <summary>The target logit for each row: an image with the layer's activations replaced.</summary>
    private double[] TargetScores(string layer, float[] input, GradientBatch result, List<(int Image, float[] Activation)> rows)
    {
        var model = fixture.Model;
        var imageSize = 3 * 224 * 224;
        var scores = new double[rows.Count];
        if (layer == model.InputName)
        {
            var logits = model.Forward(rows.SelectMany(r => r.Activation).ToArray(), rows.Count);
            for (var r = 0; r < rows.Count; r++)
            {
                scores[r] = logits[(r * 1000) + result.TargetClasses[rows[r].Image]];
            }

            return scores;
        }

        using var session = new Microsoft.ML.OnnxRuntime.InferenceSession(
            FiniteDifferenceChecker.TargetAsInput(File.ReadAllBytes(TestPaths.MobileNetOnnx), layer, model.LogitsName));
        var images = rows.SelectMany(r => input.AsSpan(r.Image * imageSize, imageSize).ToArray()).ToArray();
        using var imageValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(images, [rows.Count, 3, 224, 224]);
        using var activationValue = Microsoft.ML.OnnxRuntime.OrtValue.CreateTensorValueFromMemory(
            rows.SelectMany(r => r.Activation).ToArray(), [rows.Count, .. result.ActivationShape.Select(d => (long)d)]);
        using var runOptions = new Microsoft.ML.OnnxRuntime.RunOptions();
        using var outputs = session.Run(runOptions, [model.InputName, layer], [imageValue, activationValue], [model.LogitsName]);
        var values = outputs[0].GetTensorDataAsSpan<float>();
        for (var r = 0; r < rows.Count; r++)
        {
            scores[r] = values[(r * 1000) + result.TargetClasses[rows[r].Image]];
        }

        return scores;
    }

    public sealed class MobileNetFixture : IDisposable
    {
        public MobileNetFixture()
        {
            Model = ClassifierModel.Load(TestPaths.MobileNetOnnx, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
            var onnx = ModelProto.Parser.ParseFrom(File.ReadAllBytes(TestPaths.MobileNetOnnx));
            var weights = onnx.Graph.Initializer.Single(i => i.Name == MobileNetGradientTests.ClassifierWeights);
            Assert.Equal([1001L, 1280, 1, 1], weights.Dims);
            ClassifierWeights = weights.RawData.Length > 0
                ? System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(weights.RawData.Span).ToArray()
                : [.. weights.FloatData];
        }

        public ClassifierModel Model { get; }

        public float[] ClassifierWeights { get; }

        public void Dispose() => Model.Dispose();
    }
}

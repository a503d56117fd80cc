using Onnx;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Tests.TestModels;

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
    public void DescribesTheModel()
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
    public void GradientAtTheLastActivationIsTheClassifierWeightOver49()
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
    public void GradientRunReturnsTheForwardLogitsAndActivationsOfTheLayer()
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

    [Fact]
    public void BatchOfThreeEqualsThreeSingleImageRuns()
        => ModelPreparationTests.AssertBatchEqualsSingleRuns(fixture.Model, batch: 3, tolerance: 1e-4f);

    public sealed class MobileNetFixture : IDisposable
    {
        public MobileNetFixture()
        {
            Model = ClassifierModel.Load(SharedData.MobileNetPath, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
            var onnx = ModelProto.Parser.ParseFrom(File.ReadAllBytes(SharedData.MobileNetPath));
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

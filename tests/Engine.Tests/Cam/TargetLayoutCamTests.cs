using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Gradients;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Cam;

/// <summary>
/// Three classifiers computing the same function, their target being the same values laid out as
/// [N, C, H, W], [N, H, W, C] and tokens [N, 1 + H·W, C]: their CAMs must be the same numbers.
/// </summary>
public sealed class TargetLayoutCamTests
{
    private const int Channels = TargetLayoutModel.Channels;
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    public static TheoryData<TargetLayout> RearrangedLayouts => [TargetLayout.Nhwc, TargetLayout.Tokens];

    [Theory]
    [MemberData(nameof(RearrangedLayouts))]
    public void Every_cam_method_gives_the_nchw_models_numbers(TargetLayout layout)
    {
        using var reference = Load(TargetLayout.Nchw, out var referenceTarget);
        using var model = Load(layout, out var target);
        Assert.Equal(target, model.DefaultTargetLayer);
        var grid = model.GridOf(target);
        Assert.Equal((layout, Channels, 4, 4, layout == TargetLayout.Tokens ? 1 : 0), (grid.Layout, grid.Channels, grid.Height, grid.Width, grid.PrefixTokens));

        var input = FiniteDifferenceChecker.RandomInput(2 * 3 * 8 * 8, seed: 5);
        int[] classes = [-1, 3];
        var expected = reference.Classifier.ForwardWithGradients(input, 2, classes);
        var actual = model.Classifier.ForwardWithGradients(input, 2, classes);
        Assert.Equal(expected.TargetClasses, actual.TargetClasses);
        for (var row = 0; row < 2; row++)
        {
            var expectedMaps = ActivationMaps.FromBatchRow(expected, row, reference.GridOf(referenceTarget));
            var maps = ActivationMaps.FromBatchRow(actual, row, grid);
            Assert.Equal((Channels, 4, 4), (maps.Channels, maps.Height, maps.Width));
            Assert.True(expectedMaps.Gradients.ToArray().Max(Math.Abs) > 1e-3f, "the gradients are too small to tell layouts apart");
            AssertClose(expectedMaps.Activations, maps.Activations);
            AssertClose(expectedMaps.Gradients, maps.Gradients);
            // The same (arbitrary) scores on both sides: Score-CAM's layout question is that of its activations.
            float[] scores = [.. Enumerable.Range(0, Channels).Select(k => 0.3f * k)];
            foreach (var kind in Enum.GetValues<CamMethodKind>())
            {
                var (expectedScored, scored) = CamMethods.NeedsForwardPasses(kind)
                    ? (expectedMaps.WithChannelScores(scores), maps.WithChannelScores(scores))
                    : (expectedMaps, maps);
                var expectedCam = CamMethods.For(kind).Compute(expectedScored);
                Assert.True(expectedCam.Max() > expectedCam.Min(), $"{kind}: a flat CAM cannot show a layout mix-up");
                AssertClose(expectedCam, CamMethods.For(kind).Compute(scored));
            }
        }
    }

    [Theory]
    [MemberData(nameof(RearrangedLayouts))]
    public async Task The_explainer_renders_the_grid_not_the_raw_tensor(TargetLayout layout)
    {
        using var reference = Load(TargetLayout.Nchw, out _);
        using var model = Load(layout, out _);
        var image = TestImages.EncodePng(TestImages.Gradient(8, 8));
        var settings = new ExplainSettings { FrameCount = 3, Method = CamMethodKind.GradCamPlusPlus };

        var expected = await Ready(new Explainer(reference), image, settings);
        var actual = await Ready(new Explainer(model), image, settings);

        Assert.Equal((4, 4), (actual.CamWidth, actual.CamHeight));
        Assert.Equal([1, Channels, 4, 4], actual.LayerShape);
        Assert.Equal(expected.Prediction.TargetClass, actual.Prediction.TargetClass);
        AssertClose(expected.Cam, actual.Cam);
    }

    [Fact]
    public void The_manifests_layout_overrides_the_inferred_one()
    {
        using var model = Load(TargetLayout.Nhwc, out var target, new ModelManifest { Onnx = "x.onnx", InputWidth = 8, InputHeight = 8, TargetLayout = TargetLayout.Nchw });

        Assert.Equal(new TargetGrid(TargetLayout.Nchw, 4, 4, Channels), model.GridOf(target));
    }

    [Fact]
    public void A_manifest_layout_that_does_not_fit_the_layer_is_refused_when_explaining()
    {
        using var model = Load(TargetLayout.Nchw, out var target, new ModelManifest { Onnx = "x.onnx", InputWidth = 8, InputHeight = 8, TargetLayout = TargetLayout.Tokens });

        var e = Assert.Throws<UnsupportedModelException>(() => model.GridOf(target));
        Assert.Contains($"Cannot read target layer '{target}' (per-image shape [{Channels}, 4, 4]) as tokens", e.Message);
    }

    private static ExplainerModel Load(TargetLayout layout, out string target, ModelManifest? manifest = null)
    {
        var classifier = ClassifierModel.Load(TargetLayoutModel.Build(layout, out target), Cpu);
        manifest ??= new ModelManifest { Onnx = "x.onnx", InputWidth = 8, InputHeight = 8 };
        return new ExplainerModel(new ModelEntry { Name = layout.ToString(), Manifest = manifest, OnnxPath = "x.onnx", Labels = [] }, classifier);
    }

    private static async Task<ExplanationReady> Ready(Explainer explainer, byte[] image, ExplainSettings settings)
    {
        ExplanationReady? ready = null;
        await foreach (var e in explainer.ExplainAsync(image, settings, CancellationToken.None))
        {
            ready ??= e as ExplanationReady;
        }

        return ready ?? throw new InvalidOperationException("no ExplanationReady");
    }

    private static void AssertClose(ReadOnlySpan<float> expected, ReadOnlySpan<float> actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = 1e-5f * Math.Max(1f, expected.ToArray().Max(Math.Abs));
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= scale, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}

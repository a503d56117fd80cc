using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Slider;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Explaining;

/// <summary>The whole explanation on the shared MobileNetV2 and real photos.</summary>
public class ExplainerTests(MobileNetFixture fixture) : IClassFixture<MobileNetFixture>
{
    private const int TabbyCat = 281;
    private const int EgyptianCat = 285;
    private const int Espresso = 967;
    private const int BaldEagle = 22;

    private readonly Explainer _explainer = new(fixture.Model);

    public static TheoryData<string, int, int> Photos => new()
    {
        { "chelsea.png", TabbyCat, EgyptianCat },
        { "coffee.png", Espresso, Espresso },
        { "eagle.jpg", BaldEagle, BaldEagle },
    };

    [Theory]
    [MemberData(nameof(Photos))]
    public async Task Explains_real_photos_with_the_expected_class_and_a_consistent_insertion_curve(string photo, int lowestClass, int highestClass)
    {
        var settings = new ExplainSettings { MaxFrameSide = 160 };

        var events = await ExplainAsync(File.ReadAllBytes(TestPaths.Image(photo)), settings);

        var ready = Assert.IsType<ExplanationReady>(events[0]);
        var completed = Assert.IsType<ExplanationCompleted>(events[^1]);
        var frames = events[1..^1].Cast<SliderFrame>().ToList();
        var prediction = ready.Prediction;
        Assert.InRange(prediction.Top[0].Index, lowestClass, highestClass);
        Assert.Equal(prediction.Top[0].Index, prediction.TargetClass);
        Assert.Equal(fixture.Model.LabelOf(prediction.TargetClass), prediction.TargetLabel);
        Assert.Equal(5, prediction.Top.Count);
        Assert.Equal((7, 7), (ready.CamWidth, ready.CamHeight));
        Assert.Equal([1, 1280, 7, 7], ready.LayerShape);
        Assert.Equal(("gradcam", "MobilenetV2/Conv_1/Relu6"), (ready.Method, ready.Layer));
        Assert.Contains(ready.Cam, v => v > 0);
        Assert.All(ready.Cam, v => Assert.True(v >= 0));
        Assert.Equal(160, Math.Max(ready.FrameWidth, ready.FrameHeight));

        // Frames arrive coarse to fine, one per slider position.
        Assert.Equal(FrameOrder.CoarseToFine(21), frames.Select(f => f.Index));
        var curve = frames.OrderBy(f => f.Index).ToList();
        Assert.All(curve, f => Assert.True(FileMagic.IsJpeg(f.Image)));
        Assert.All(curve, f => Assert.Equal((ready.FrameWidth, ready.FrameHeight), (f.Width, f.Height)));
        Assert.Equal(Enumerable.Range(0, 21).Select(i => i * 5f), curve.Select(f => f.Percent), new FloatTolerance(1e-4f));

        // The curve ends at the full image's probability and starts at the baseline's.
        Assert.Equal(prediction.TargetProbability, curve[^1].TargetProbability, 1e-5f);
        var prepared = _explainer.Prepare(File.ReadAllBytes(TestPaths.Image(photo)), settings);
        var baselineProbability = PredictionBuilder.Softmax(_explainer.RunForward(prepared.BaselineTensor, 1))[prediction.TargetClass];
        Assert.Equal(baselineProbability, curve[0].TargetProbability, 1e-5f);
        Assert.Equal(CurveArea.Trapezoid(curve.Select(f => f.TargetProbability).ToArray()), completed.InsertionAuc, 1e-6f);
        Assert.InRange(completed.InsertionAuc, 0f, 1f);
        Assert.Null(completed.DeletionAuc);
        Assert.All(curve, f => Assert.Null(f.DeletionProbability));

        var timings = completed.Timings;
        Assert.True(timings.DecodeMs > 0 && timings.GradientMs > 0 && timings.CamMs > 0 && timings.FramesInferenceMs > 0 && timings.RenderMs > 0);
        Assert.True(timings.TotalMs >= timings.GradientMs + timings.FramesInferenceMs);
    }

    [Theory]
    [InlineData(BaselineKind.Black)]
    [InlineData(BaselineKind.Blur)]
    [InlineData(BaselineKind.Gray)]
    public async Task First_frame_is_the_pure_baseline_and_last_frame_the_image(BaselineKind baseline)
    {
        var bytes = File.ReadAllBytes(TestPaths.Image("coffee.png"));
        var settings = new ExplainSettings { FrameCount = 3, Baseline = baseline, Format = FrameFormat.Png, MaxFrameSide = 96 };
        var prepared = _explainer.Prepare(bytes, settings);

        var frames = (await ExplainAsync(bytes, settings)).OfType<SliderFrame>().OrderBy(f => f.Index).ToList();

        Assert.Equal(prepared.DisplayBaseline.Pixels, ImageDecoder.Decode(frames[0].Image).Pixels);
        Assert.Equal(prepared.Display.Pixels, ImageDecoder.Decode(frames[^1].Image).Pixels);
        var half = ImageDecoder.Decode(frames[1].Image).Pixels;
        var fromImage = Enumerable.Range(0, half.Length / 4).Count(i => half.AsSpan(i * 4, 4).SequenceEqual(prepared.Display.Pixels.AsSpan(i * 4, 4)));
        Assert.InRange(fromImage, half.Length / 8, half.Length / 4); // at least the revealed half
        if (baseline == BaselineKind.Black)
        {
            Assert.All(prepared.DisplayBaseline.Pixels.Chunk(4), p => Assert.Equal(new byte[] { 0, 0, 0, 255 }, p));
            Assert.All(prepared.BaselineTensor, v => Assert.Equal(-1f, v)); // pixel 0 → 0 / 127.5 − 1
        }
    }

    [Fact]
    public async Task Deletion_curve_goes_from_the_full_image_to_black()
    {
        var bytes = File.ReadAllBytes(TestPaths.Image("eagle.jpg"));
        var settings = new ExplainSettings { FrameCount = 5, DeletionCurve = true, MaxFrameSide = 64 };

        var events = await ExplainAsync(bytes, settings);

        var ready = (ExplanationReady)events[0];
        var frames = events.OfType<SliderFrame>().OrderBy(f => f.Index).ToList();
        var completed = (ExplanationCompleted)events[^1];
        var target = ready.Prediction.TargetClass;
        var blackProbability = PredictionBuilder.Softmax(_explainer.RunForward(_explainer.BlackTensor(), 1))[target];
        Assert.Equal(ready.Prediction.TargetProbability, frames[0].DeletionProbability!.Value, 1e-5f);
        Assert.Equal(blackProbability, frames[^1].DeletionProbability!.Value, 1e-5f);
        Assert.Equal(CurveArea.Trapezoid(frames.Select(f => f.DeletionProbability!.Value).ToArray()), completed.DeletionAuc!.Value, 1e-6f);
    }

    /// <summary>Every method but Score-CAM, whose channel scores come from forward passes this step API does not run (its own tests below).</summary>
    public static TheoryData<CamMethodKind> MethodsWithoutForwardPasses => new(Enum.GetValues<CamMethodKind>().Where(k => !CamMethods.NeedsForwardPasses(k)));

    [Theory]
    [MemberData(nameof(MethodsWithoutForwardPasses))]
    public void Every_method_explains_the_cat(CamMethodKind method)
    {
        var settings = new ExplainSettings { Method = method, FrameCount = 2, MaxFrameSide = 64 };
        var prepared = _explainer.Prepare(File.ReadAllBytes(TestPaths.Image("chelsea.png")), settings);

        var explanation = _explainer.Explain(prepared, _explainer.ComputeGradients([prepared]), 0);

        Assert.Equal(49, explanation.Cam.Length);
        Assert.Contains(explanation.Cam, v => v > 0);
        Assert.All(explanation.Cam, v => Assert.True(v >= 0 && float.IsFinite(v)));
        Assert.Equal(1f, explanation.DisplaySaliency.Max(), 1e-5f);
        Assert.Equal(0f, explanation.DisplaySaliency.Min(), 1e-5f);
        Assert.True(FileMagic.IsPng(explanation.HeatmapPng));
        // A channel-weighting method's steps add up to its CAM; the others have none.
        if (CamMethods.For(method) is IChannelWeighting)
        {
            Assert.Equal(explanation.Cam, explanation.Steps!.WeightedSum.Select(v => Math.Max(v, 0f)), new FloatTolerance(1e-5f));
        }
        else
        {
            Assert.Null(explanation.Steps);
        }
    }

    [Fact]
    public void Explicit_target_class_is_explained_instead_of_the_top_1()
    {
        var settings = new ExplainSettings { TargetClass = TabbyCat, FrameCount = 2 };
        var prepared = _explainer.Prepare(File.ReadAllBytes(TestPaths.Image("chelsea.png")), settings);

        var explanation = _explainer.Explain(prepared, _explainer.ComputeGradients([prepared]), 0);

        Assert.Equal(TabbyCat, explanation.Prediction.TargetClass);
        Assert.StartsWith("tabby", explanation.Prediction.TargetLabel);
    }

    [Fact]
    public void Image_of_the_input_size_is_fed_to_the_model_unresampled()
    {
        var photo = ImageDecoder.Decode(File.ReadAllBytes(TestPaths.Image("chelsea.png")));
        var crop = ImageResampler.Resample(photo, new ModelView(100, 20, 224, 224), 224, 224);

        var prepared = _explainer.Prepare(TestImages.EncodePng(crop), new ExplainSettings());

        for (var channel = 0; channel < 3; channel++)
        {
            for (var i = 0; i < 224 * 224; i++)
            {
                Assert.Equal((crop.Pixels[(i * 4) + channel] / 127.5f) - 1f, prepared.InputTensor[(channel * 224 * 224) + i]);
            }
        }
    }

    [Fact]
    public async Task Non_image_bytes_fail_with_the_clear_error()
    {
        var error = await Assert.ThrowsAsync<InvalidImageException>(() => ExplainAsync("GIF? no, just text"u8.ToArray(), new ExplainSettings()));

        Assert.Equal("not a decodable image (expected JPEG, PNG, WebP, GIF or BMP)", error.Message);
    }

    [Theory]
    [InlineData(1, null, 512, 5)]
    [InlineData(102, null, 512, 5)]
    [InlineData(21, 1000, 512, 5)]
    [InlineData(21, -1, 512, 5)]
    [InlineData(21, null, 8, 5)]
    [InlineData(21, null, 512, 0)]
    public void Settings_out_of_range_are_refused(int frames, int? targetClass, int maxFrameSide, int topK)
    {
        var settings = new ExplainSettings { FrameCount = frames, TargetClass = targetClass, MaxFrameSide = maxFrameSide, TopK = topK };

        Assert.Throws<InvalidSettingsException>(() => _explainer.Prepare(File.ReadAllBytes(TestPaths.Image("coffee.png")), settings));
    }

    [Fact]
    public async Task ScoreCam_reports_its_forward_passes_then_explains_with_the_capped_channels()
    {
        var settings = new ExplainSettings { Method = CamMethodKind.ScoreCam, ScoreCamChannels = 20, FrameCount = 2, MaxFrameSide = 64 };

        var events = await ExplainAsync(File.ReadAllBytes(TestPaths.Image("chelsea.png")), settings);

        // 20 channels in runs of 8: progress at 0, 8, 16 and 20 of 20, all before the explanation.
        var progress = events.TakeWhile(e => e is ChannelScoringProgress).Cast<ChannelScoringProgress>().ToList();
        Assert.Equal([0, 8, 16, 20], progress.Select(p => p.Scored));
        Assert.All(progress, p => Assert.Equal(20, p.Total));
        var ready = Assert.IsType<ExplanationReady>(events[progress.Count]);
        Assert.Equal("scorecam", ready.Method);
        Assert.InRange(ready.Prediction.TargetClass, TabbyCat, EgyptianCat);
        Assert.Contains(ready.Cam, v => v > 0);
        Assert.Equal(2, events.OfType<SliderFrame>().Count());
        Assert.IsType<ExplanationCompleted>(events[^1]);

        // The same CAM from the public steps: the scores of exactly the 20 channels of highest variance.
        var prepared = _explainer.Prepare(File.ReadAllBytes(TestPaths.Image("chelsea.png")), settings);
        var activations = _explainer.ComputeGradients([prepared]);
        var scores = _explainer.ScoreChannels(_explainer.PlanScoring(prepared, activations, 0));
        Assert.Equal(20, scores.Count(float.IsFinite));
        Assert.Equal(ready.Cam, _explainer.Explain(prepared, activations, 0, scores).Cam);
    }

    [Fact]
    public void ScoreCam_default_cap_is_every_channel_on_cuda_only()
    {
        Assert.Null(ScoreCam.DefaultChannelCap("CUDA"));
        Assert.Equal(ExplainLimits.CpuScoreCamChannels, ScoreCam.DefaultChannelCap("CPU"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-3)]
    [InlineData(ExplainLimits.MaxScoreCamChannels + 1)]
    public void ScoreCam_caps_out_of_range_are_refused(int cap)
    {
        var settings = new ExplainSettings { Method = CamMethodKind.ScoreCam, ScoreCamChannels = cap };

        var error = Assert.Throws<InvalidSettingsException>(() => _explainer.Prepare(File.ReadAllBytes(TestPaths.Image("coffee.png")), settings));
        Assert.Contains($"1..{ExplainLimits.MaxScoreCamChannels}", error.Message);
    }

    [Fact]
    public void First_frame_run_is_small_so_the_first_frames_come_early()
    {
        var chunks = _explainer.PlanFrameChunks(new ExplainSettings());

        Assert.Equal([0, 20], chunks[0]);
        Assert.Equal(21, chunks.Sum(c => c.Length));
    }

    private async Task<List<ExplainEvent>> ExplainAsync(byte[] bytes, ExplainSettings settings)
    {
        var events = new List<ExplainEvent>();
        await foreach (var explainEvent in _explainer.ExplainAsync(bytes, settings))
        {
            events.Add(explainEvent);
        }
        return events;
    }

    private sealed class FloatTolerance(float tolerance) : IEqualityComparer<float>
    {
        public bool Equals(float x, float y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(float obj) => 0;
    }
}

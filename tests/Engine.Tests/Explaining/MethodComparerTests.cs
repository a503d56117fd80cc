using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Slider;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Explaining;

/// <summary>The comparison of every registered CAM method on the shared MobileNetV2 and a real photo.</summary>
public class MethodComparerTests(MobileNetFixture fixture) : IClassFixture<MobileNetFixture>
{
    private static readonly ExplainSettings Settings = new() { FrameCount = 6, MaxFrameSide = 64 };

    private readonly Explainer _explainer = new(fixture.Model);

    [Fact]
    public async Task Each_methods_curves_areas_and_heatmap_equal_those_of_its_single_method_job()
    {
        var bytes = File.ReadAllBytes(TestPaths.Image("coffee.png"));

        var events = await CompareAsync(bytes, Settings);

        var started = Assert.IsType<ComparisonStarted>(events[0]);
        Assert.IsType<ComparisonCompleted>(events[^1]);
        var results = events[1..^1].Cast<MethodCompared>().ToList();
        Assert.Equal(CamMethods.Names, started.Methods);
        Assert.Equal(CamMethods.Names, results.Select(r => r.Method));
        Assert.Equal(Enumerable.Range(0, results.Count), results.Select(r => r.Position));
        foreach (var kind in CamMethods.Kinds)
        {
            var compared = results.Single(r => r.Method == CamMethods.NameOf(kind));
            var single = await ExplainAsync(bytes, Settings with { Method = kind, DeletionCurve = true });
            var ready = single.OfType<ExplanationReady>().Single();
            var frames = single.OfType<SliderFrame>().OrderBy(f => f.Index).ToList();
            var completed = single.OfType<ExplanationCompleted>().Single();

            Assert.Equal(completed.InsertionAuc, compared.InsertionAuc);
            Assert.Equal(completed.DeletionAuc, compared.DeletionAuc);
            Assert.Equal(frames.Select(f => f.TargetProbability), compared.InsertionCurve);
            Assert.Equal(frames.Select(f => f.DeletionProbability!.Value), compared.DeletionCurve);
            Assert.Equal(ready.HeatmapPng, compared.HeatmapPng);
            Assert.Equal((ready.FrameWidth, ready.FrameHeight), (compared.HeatmapWidth, compared.HeatmapHeight));
            Assert.Equal(ready.Prediction.TargetClass, started.Prediction.TargetClass);
            var firstMatch = frames.First(f => f.Prediction.Top[0].Index == ready.Prediction.Top[0].Index);
            Assert.Equal(firstMatch.Percent / 100f, compared.Sufficiency!.Value, 1e-6f);
        }
    }

    [Fact]
    public async Task Compares_the_methods_asked_for_in_their_order()
    {
        var bytes = File.ReadAllBytes(TestPaths.Image("chelsea.png"));
        CamMethodKind[] methods = [CamMethodKind.EigenCam, CamMethodKind.GradCam];

        var results = (await CompareAsync(bytes, Settings with { FrameCount = 3 }, methods)).OfType<MethodCompared>().ToList();

        Assert.Equal(["eigencam", "gradcam"], results.Select(r => r.Method));
        Assert.All(results, r => Assert.Equal(3, r.InsertionCurve.Length));
        // The last insertion frame is the full image and the first deletion frame too.
        Assert.All(results, r => Assert.Equal(r.InsertionCurve[^1], r.DeletionCurve[0], 1e-6f));
        Assert.All(results, r => Assert.InRange(r.Sufficiency!.Value, 0f, 1f));
    }

    [Fact]
    public async Task Refuses_an_empty_or_repeated_method_list()
    {
        var bytes = File.ReadAllBytes(TestPaths.Image("chelsea.png"));

        await Assert.ThrowsAsync<InvalidSettingsException>(() => CompareAsync(bytes, Settings, []));
        await Assert.ThrowsAsync<InvalidSettingsException>(() => CompareAsync(bytes, Settings, [CamMethodKind.GradCam, CamMethodKind.GradCam]));
    }

    private async Task<List<ComparisonEvent>> CompareAsync(byte[] bytes, ExplainSettings settings, IReadOnlyList<CamMethodKind>? methods = null)
    {
        var events = new List<ComparisonEvent>();
        await foreach (var comparisonEvent in new MethodComparer(_explainer).CompareAsync(bytes, settings, methods))
        {
            events.Add(comparisonEvent);
        }
        return events;
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
}

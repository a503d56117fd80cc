using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests;

/// <summary>A comparison job (compare_methods) through Submit → Redis → worker → StreamFrames, with one real worker.</summary>
public sealed class CompareFlowTests(WorkerStack fixture) : IClassFixture<WorkerStack>
{
    private const int FrameCount = 5;
    private readonly ServiceStack _stack = fixture.Stack;

    private static ExplainOptions CompareOptions => new() { CompareMethods = true, FrameCount = FrameCount, MaxFrameSide = 64 };

    private static SubmitRequest Request(byte[] image, ExplainOptions options) => new() { Image = ByteString.CopyFrom(image), Options = options };

    [Fact]
    public async Task Each_method_arrives_with_heatmap_curves_areas_and_sufficiency_then_completed_and_each_equals_its_single_method_job()
    {
        var image = TestImages.Cropped("coffee.png", 5);
        var submitted = await _stack.Client.SubmitAsync(Request(image, CompareOptions), _stack.Deadline());

        var events = await _stack.StreamAllAsync(submitted.JobId);

        Assert.Equal([JobState.Queued, JobState.Running], events[..2].Select(e => e.Status.State));
        Assert.Equal(JobEvent.EventOneofCase.Completed, events[^1].EventCase);
        var results = events[2..^1].Select(e =>
        {
            Assert.Equal(JobEvent.EventOneofCase.MethodResult, e.EventCase);
            return e.MethodResult;
        }).ToList();
        Assert.Equal(Enumerable.Range(0, results.Count), results.Select(r => r.Position));
        Assert.All(results, r => Assert.Equal(results.Count, r.MethodCount));
        Assert.Equal(results.Count, results.Select(r => r.Method).Distinct().Count());
        Assert.All(results, r => Assert.Equal(967, r.Prediction.TargetClass)); // espresso
        Assert.All(results, r => Assert.Equal("MobilenetV2/Conv_1/Relu6", r.Layer));
        Assert.All(results, r => Assert.Equal((FrameCount, FrameCount), (r.InsertionCurve.Count, r.DeletionCurve.Count)));
        Assert.All(results, r => Assert.Equal(64, Math.Max(r.HeatmapWidth, r.HeatmapHeight)));
        Assert.All(results, r => Assert.True(r.HeatmapPng.Span[1..4].SequenceEqual("PNG"u8)));
        Assert.All(results, r => Assert.True(r.HasSufficiency && r.Sufficiency is >= 0f and <= 1f));

        // Every method the contract can name is in the comparison, with the areas its own job (same frames, deletion curve) gives.
        var methods = Enum.GetValues<CamMethod>().Where(m => m != CamMethod.Unspecified).ToList();
        Assert.Equal(methods.Count, results.Count);
        foreach (var method in methods)
        {
            var single = await _stack.StreamAllAsync((await _stack.Client.SubmitAsync(
                Request(image, new ExplainOptions { Method = method, FrameCount = FrameCount, MaxFrameSide = 64, DeletionCurve = true }),
                _stack.Deadline())).JobId);
            var name = single.Single(e => e.EventCase == JobEvent.EventOneofCase.Explanation).Explanation.Method;
            var completed = single[^1].Completed;
            var compared = results.Single(r => r.Method == name);
            Assert.Equal((completed.InsertionAuc, completed.DeletionAuc), (compared.InsertionAuc, compared.DeletionAuc));
        }

        var job = (await _stack.Client.GetJobAsync(new GetJobRequest { JobId = submitted.JobId }, _stack.Deadline())).Job;
        Assert.Equal(JobState.Done, job.State);
        Assert.Equal((results.Count, results.Count), (job.FramesReady, job.FrameCount));
        Assert.Equal(results[0].Prediction, job.Prediction);
        Assert.True(job.Options.CompareMethods);
    }

    [Fact]
    public async Task The_method_and_frame_format_of_a_comparison_are_normalised_away()
    {
        var image = TestImages.Cropped("chelsea.png", 7);
        var first = await _stack.Client.SubmitAsync(Request(image, CompareOptions), _stack.Deadline());
        await _stack.StreamAllAsync(first.JobId);

        var options = CompareOptions;
        options.Method = CamMethod.EigenCam;
        options.FrameFormat = ImageFormat.Png;
        var again = await _stack.Client.SubmitAsync(Request(image, options), _stack.Deadline());

        Assert.Equal((first.JobId, true), (again.JobId, again.Cached));
    }
}

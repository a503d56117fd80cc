using System.Collections.Concurrent;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Explaining;

/// <summary>Cross-job batching: concurrent jobs share classifier runs and still get their own, unchanged frames.</summary>
public class JobBatchingTests(MobileNetFixture fixture) : IClassFixture<MobileNetFixture>
{
    private const int FrameCount = 9;
    private static readonly TimeSpan Never = TimeSpan.FromMinutes(10);
    private static readonly TimeSpan JobTimeout = TimeSpan.FromSeconds(120);
    private static readonly ExplainSettings Settings = new() { FrameCount = FrameCount, MaxFrameSide = 64 };

    [Fact]
    public async Task Two_concurrent_jobs_share_every_run_and_get_the_frames_they_get_alone()
    {
        var gradientRuns = new ConcurrentQueue<int>();
        var frameRuns = new ConcurrentQueue<int>();
        var batched = new Explainer(fixture.Model, new ExplainerOptions
        {
            FirstChunkFrames = 2,
            MaxImagesPerRun = 2,
            JobBatching = new JobBatchingOptions { MaxJobs = 2, MaxWait = Never },
            GradientRunStarting = gradientRuns.Enqueue,
            FrameRunStarting = frames => frameRuns.Enqueue(frames.Count),
        });

        var jobs = await Task.WhenAll(Collect(batched, "chelsea.png"), Collect(batched, "coffee.png")).WaitAsync(JobTimeout);

        Assert.Equal([2], gradientRuns);
        // Runs of [0], [4, 2], [6, 1], [3, 5], [7] per job (the 100 % frame reuses the gradient run), two jobs each.
        Assert.Equal([2, 4, 4, 4, 2], frameRuns);
        var alone = new Explainer(fixture.Model, new ExplainerOptions { FirstChunkFrames = 2, MaxImagesPerRun = 2 });
        foreach (var (photo, events) in new[] { ("chelsea.png", jobs[0]), ("coffee.png", jobs[1]) })
        {
            var expected = await Collect(alone, photo);
            var frames = events.OfType<SliderFrame>().ToList();
            var expectedFrames = expected.OfType<SliderFrame>().ToList();
            Assert.Equal(expectedFrames.Select(f => f.Index), frames.Select(f => f.Index));
            Assert.All(frames.Zip(expectedFrames), pair => Assert.Equal(pair.Second.TargetProbability, pair.First.TargetProbability, 1e-5f));
            Assert.Equal(((ExplanationReady)expected[0]).Prediction.TargetClass, ((ExplanationReady)events[0]).Prediction.TargetClass);
        }
    }

    [Fact]
    public async Task On_CPU_merged_frame_runs_reach_the_classifier_in_runs_of_at_most_MaxImagesPerRun()
    {
        using var model = ExplainerModel.Load(
            ModelEntry.FromManifest(TestPaths.MobileNetManifest, TestPaths.ModelDirectory),
            new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var frameRuns = new ConcurrentQueue<int>();
        var batched = new Explainer(model, new ExplainerOptions
        {
            FirstChunkFrames = 2,
            MaxImagesPerRun = 2,
            JobBatching = new JobBatchingOptions { MaxJobs = 3, MaxWait = Never },
            FrameRunStarting = frames => frameRuns.Enqueue(frames.Count),
        });

        await Task.WhenAll(Collect(batched, "chelsea.png"), Collect(batched, "coffee.png"), Collect(batched, "dog.jpg")).WaitAsync(JobTimeout);

        Assert.Contains(6, frameRuns);
        Assert.Equal(2, model.Classifier.LargestForwardRun);
    }

    [Fact]
    public async Task Two_concurrent_ScoreCam_jobs_share_the_runs_of_masked_inputs_and_get_the_CAMs_they_get_alone()
    {
        var scoreRuns = new ConcurrentQueue<int>();
        var settings = Settings with { Method = CamMethodKind.ScoreCam, ScoreCamChannels = 6, FrameCount = 2 };
        var batched = new Explainer(fixture.Model, new ExplainerOptions
        {
            MaxImagesPerRun = 4,
            JobBatching = new JobBatchingOptions { MaxJobs = 2, MaxWait = Never },
            ScoreRunStarting = scoreRuns.Enqueue,
        });

        var jobs = await Task.WhenAll(Collect(batched, "chelsea.png", settings), Collect(batched, "coffee.png", settings)).WaitAsync(JobTimeout);

        // 6 channels a job in runs of at most 4 per job: [4, 2] alone, [8, 4] shared.
        Assert.Equal([8, 4], scoreRuns);
        var alone = new Explainer(fixture.Model, new ExplainerOptions { MaxImagesPerRun = 4 });
        foreach (var (photo, events) in new[] { ("chelsea.png", jobs[0]), ("coffee.png", jobs[1]) })
        {
            var expected = (await Collect(alone, photo, settings)).OfType<ExplanationReady>().Single();
            var ready = events.OfType<ExplanationReady>().Single();
            Assert.Equal(expected.Prediction.TargetClass, ready.Prediction.TargetClass);
            Assert.Equal(expected.Cam.Length, ready.Cam.Length);
            Assert.All(expected.Cam.Zip(ready.Cam), pair => Assert.Equal(pair.First, pair.Second, 1e-4f * expected.Cam.Max()));
        }
    }

    [Fact]
    public async Task A_job_alone_does_not_wait_for_jobs_that_are_not_running()
    {
        var gradientRuns = new ConcurrentQueue<int>();
        var explainer = new Explainer(fixture.Model, new ExplainerOptions
        {
            JobBatching = new JobBatchingOptions { MaxJobs = 4, MaxWait = Never },
            GradientRunStarting = gradientRuns.Enqueue,
        });

        var events = await Collect(explainer, "eagle.jpg").WaitAsync(JobTimeout);

        Assert.Equal(FrameCount, events.OfType<SliderFrame>().Count());
        Assert.Equal([1], gradientRuns);
    }

    [Fact]
    public async Task A_run_starts_when_full_without_waiting()
    {
        var runs = new ConcurrentQueue<int[]>();
        var batcher = new RunBatcher<string, int, int>(
            (_, requests) =>
            {
                runs.Enqueue([.. requests]);
                return [.. requests.Select(r => r * 10)];
            },
            _ => 1, capacity: 3, maxWait: Never, participants: () => 100, TimeProvider.System);

        var results = await Task.WhenAll(batcher.RunAsync("a", 1, default), batcher.RunAsync("a", 2, default), batcher.RunAsync("a", 3, default)).WaitAsync(JobTimeout);

        Assert.Equal([10, 20, 30], results);
        Assert.Equal([1, 2, 3], Assert.Single(runs));
    }

    [Fact]
    public async Task Requests_of_different_keys_never_share_a_run_and_a_partial_run_starts_after_the_wait()
    {
        var runs = new ConcurrentQueue<(string Key, int Count)>();
        var batcher = new RunBatcher<string, int, int>(
            (key, requests) =>
            {
                runs.Enqueue((key, requests.Count));
                return [.. requests];
            },
            _ => 1, capacity: 8, maxWait: TimeSpan.FromMilliseconds(20), participants: () => 2, TimeProvider.System);

        await Task.WhenAll(batcher.RunAsync("layer-a", 1, default), batcher.RunAsync("layer-b", 2, default)).WaitAsync(JobTimeout);

        Assert.Equal([("layer-a", 1), ("layer-b", 1)], runs.OrderBy(r => r.Key));
    }

    [Fact]
    public async Task A_failing_run_fails_every_request_in_it()
    {
        var batcher = new RunBatcher<string, int, int>(
            (_, _) => throw new InvalidOperationException("run failed"),
            _ => 1, capacity: 2, maxWait: Never, participants: () => 2, TimeProvider.System);

        var first = batcher.RunAsync("a", 1, default);
        var second = batcher.RunAsync("a", 2, default);

        Assert.Equal("run failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => first.WaitAsync(JobTimeout))).Message);
        Assert.Equal("run failed", (await Assert.ThrowsAsync<InvalidOperationException>(() => second.WaitAsync(JobTimeout))).Message);
    }

    private static async Task<List<ExplainEvent>> Collect(Explainer explainer, string photo, ExplainSettings? settings = null)
    {
        var events = new List<ExplainEvent>();
        await foreach (var e in explainer.ExplainAsync(File.ReadAllBytes(TestPaths.Image(photo)), settings ?? Settings))
        {
            events.Add(e);
        }
        return events;
    }
}

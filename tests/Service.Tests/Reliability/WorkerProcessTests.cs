using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using SkiaSharp;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Reliability;

/// <summary>Real worker processes killed (SIGKILL) or stopped (SIGTERM) while they render a job's frames.</summary>
public sealed class WorkerProcessTests(ServiceStack stack) : IClassFixture<ServiceStack>
{
    // The most frames a job may have, one per classifier run (Worker:BatchSize 1 below): a job long enough that a kill
    // sent after its first frame reached the client lands mid-job even on a loaded machine.
    private const int FrameCount = SaliencySlider.Engine.Explaining.ExplainLimits.MaxFrameCount;
    private const int Trials = 10;

    private IEnumerable<KeyValuePair<string, string?>> ProcessSettings(string shutdownTimeout = "00:00:30") => stack.CommonSettings().Concat(
    [
        new("Queue:BlockTime", "00:00:00.500"),
        // Long enough that a live worker's claim, refreshed every 0.5 s, never lapses while the other test classes
        // load the machine: a lapsed claim re-queues the job, and the trial's victim would hold nothing.
        new("Queue:VisibilityTimeout", "00:00:04"),
        new("Queue:ClaimRefreshInterval", "00:00:00.500"),
        new("Worker:ExecutionProvider", "Cpu"),
        new("Worker:IntraOpThreads", "1"),
        // One frame per classifier run: frames arrive one by one, so a job is still rendering after its first frame.
        new("Worker:BatchSize", "1"),
        new("Worker:ShutdownTimeout", shutdownTimeout),
    ]);

    private async Task<(AsyncServerStreamingCall<StreamFramesResponse> Call, AttemptAwareReader Reader, string JobId)> SubmitAndWaitForFirstFrameAsync(byte[] image, int frameCount = FrameCount)
    {
        var submitted = await stack.Client.SubmitAsync(new SubmitRequest
        {
            Image = ByteString.CopyFrom(image),
            Options = new ExplainOptions { FrameCount = frameCount, MaxFrameSide = 64 },
        }, stack.Deadline());
        Assert.False(submitted.Cached);
        var call = stack.Client.StreamFrames(new StreamFramesRequest { JobId = submitted.JobId }, stack.Deadline());
        var reader = new AttemptAwareReader();
        while (reader.Frames.Count == 0)
        {
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None), "the stream ended before the first frame");
            reader.Apply(call.ResponseStream.Current.Event);
        }

        return (call, reader, submitted.JobId);
    }

    /// <summary>
    /// The consumer holding this job's queue entry (the previous trial's entry may still await its acknowledgement);
    /// null when the job is already done, which must then have finished cleanly in one attempt.
    /// </summary>
    private async Task<string?> PendingConsumerAsync(string jobId)
    {
        var entry = await stack.Redis.HashGetAsync(stack.Keys.Job(jobId), "queue_entry");
        var pending = await stack.Redis.StreamPendingMessagesAsync(stack.QueueStream, stack.Keys.Group, 1, RedisValue.Null, entry, entry);
        if (pending.Length == 0)
        {
            var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
            Assert.Equal((JobState.Done, 1, FrameCount, ""), (job.State, job.Attempts, job.FramesReady, job.Error));
            return null;
        }
        return Assert.Single(pending).ConsumerName!;
    }

    private static void AssertFramesCompleteAndValid(AttemptAwareReader reader, int frameCount)
    {
        Assert.NotNull(reader.Completed);
        Assert.NotNull(reader.Explanation);
        Assert.Equal(Enumerable.Range(0, frameCount), reader.Frames.Select(f => f.Index).Order());
        foreach (var frame in reader.Frames)
        {
            using var bitmap = SKBitmap.Decode(frame.Image.ToByteArray());
            Assert.NotNull(bitmap);
            Assert.Equal((reader.Explanation.FrameWidth, reader.Explanation.FrameHeight), (bitmap.Width, bitmap.Height));
        }
    }

    [Fact]
    public async Task Workers_killed_while_rendering_frames_lose_no_job_and_clients_get_every_frame_once()
    {
        var started = DateTime.UtcNow;
        var workers = (await Task.WhenAll(WorkerProcess.StartAsync($"{stack.KeyPrefix}-kill-a", ProcessSettings()),
            WorkerProcess.StartAsync($"{stack.KeyPrefix}-kill-b", ProcessSettings()))).ToList();
        var retired = new List<WorkerProcess>();
        var finishedTooSoon = 0;
        try
        {
            for (var trial = 0; trial < Trials; trial++)
            {
                var (call, reader, jobId) = await SubmitAndWaitForFirstFrameAsync(TestImages.Cropped("chelsea.png", trial + 1 + (Trials * finishedTooSoon)));
                using (call)
                {
                    // On a loaded machine the first frame can reach this client after the worker has finished the job:
                    // then there is nothing to kill, and the trial is run again with another job.
                    if (await PendingConsumerAsync(jobId) is not { } owner)
                    {
                        Assert.True(++finishedTooSoon <= Trials, $"{finishedTooSoon} jobs were done before their first frame reached the client: no trial could kill a worker mid-job");
                        trial--;
                        continue;
                    }
                    var victim = workers.Single(w => w.SlotConsumer == owner);
                    victim.Kill();
                    workers.Remove(victim);
                    retired.Add(victim);
                    var replacement = WorkerProcess.StartAsync($"{stack.KeyPrefix}-kill-r{trial}", ProcessSettings());

                    Assert.True(await reader.ReadToEndAsync(call.ResponseStream.Events()), $"trial {trial}: the stream ended early");
                    Assert.True(reader.Restarts == 1, $"trial {trial}: expected one restart, saw {reader.Restarts} (was the job finished before the kill?)");
                    Assert.Contains("restarted after a worker failure", reader.RestartMessages[0]);
                    AssertFramesCompleteAndValid(reader, FrameCount);
                    workers.Add(await replacement);
                }

                // A client that comes afterwards sees one clean attempt: every frame index exactly once.
                var replay = await stack.StreamAllAsync(jobId);
                Assert.Equal(2, replay.Single(e => e.Status?.State == JobState.Running).Status.Attempt);
                Assert.Equal(FrameCount, replay.Count(e => e.EventCase == JobEvent.EventOneofCase.Frame));
                var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
                Assert.Equal((JobState.Done, 2, FrameCount, ""), (job.State, job.Attempts, job.FramesReady, job.Error));
            }

            // Stopped gracefully, the surviving workers have acknowledged every job they finished.
            foreach (var worker in workers)
            {
                worker.Terminate();
                Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(60)));
            }

            Assert.Empty(await stack.Redis.StreamPendingMessagesAsync(stack.QueueStream, stack.Keys.Group, 10, RedisValue.Null));
            Console.WriteLine($"[reliability] {Trials} SIGKILL trials took {(DateTime.UtcNow - started).TotalSeconds:0.0} s");
        }
        finally
        {
            foreach (var worker in workers.Concat(retired))
            {
                await worker.DisposeAsync();
            }
        }
    }

    [Fact]
    public async Task A_job_whose_worker_dies_on_every_attempt_ends_in_the_dead_letter_stream()
    {
        var settings = ProcessSettings().Append(new("Queue:MaxAttempts", "2"));
        var (call, reader, jobId) = (default(AsyncServerStreamingCall<StreamFramesResponse>)!, new AttemptAwareReader(), "");
        for (var attempt = 1; attempt <= 2; attempt++)
        {
            await using var worker = await WorkerProcess.StartAsync($"{stack.KeyPrefix}-doomed-{attempt}", settings);
            if (attempt == 1)
            {
                (call, reader, jobId) = await SubmitAndWaitForFirstFrameAsync(TestImages.Cropped("coffee.png", 5));
            }
            else
            {
                while (reader.Attempt < 2 || reader.Frames.Count == 0)
                {
                    Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
                    reader.Apply(call.ResponseStream.Current.Event);
                }
            }

            worker.Kill();
        }

        using (call)
        {
            await using var last = await WorkerProcess.StartAsync($"{stack.KeyPrefix}-doomed-last", settings);
            await reader.ReadToEndAsync(call.ResponseStream.Events());
        }

        Assert.NotNull(reader.Failed);
        Assert.Contains("gave up after 2 failed attempts", reader.Failed.Message);
        Assert.Contains("stopped responding", reader.Failed.Message);
        var dead = Assert.Single(await stack.Redis.StreamRangeAsync(stack.DeadLetterStream), e => e["job_id"] == jobId);
        Assert.Equal(2, (int)dead["attempts"]);
        var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
        Assert.Equal((JobState.Failed, 2), (job.State, job.Attempts));
    }

    [Fact]
    public async Task SIGTERM_lets_the_running_job_finish_and_exits_0()
    {
        var worker = await WorkerProcess.StartAsync($"{stack.KeyPrefix}-term", ProcessSettings());
        await using (worker)
        {
            var (call, reader, jobId) = await SubmitAndWaitForFirstFrameAsync(TestImages.Cropped("eagle.jpg", 2));
            using (call)
            {
                worker.Terminate();
                Assert.True(await reader.ReadToEndAsync(call.ResponseStream.Events()));
            }

            Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            Assert.Equal(0, reader.Restarts);
            AssertFramesCompleteAndValid(reader, FrameCount);
            var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
            Assert.Equal((JobState.Done, 1), (job.State, job.Attempts));
        }
    }

    [Fact]
    public async Task SIGTERM_past_the_grace_period_hands_the_job_back_and_another_worker_finishes_it()
    {
        const int frames = 101;
        var worker = await WorkerProcess.StartAsync($"{stack.KeyPrefix}-handback", ProcessSettings(shutdownTimeout: "00:00:00.100"));
        await using (worker)
        {
            var (call, reader, jobId) = await SubmitAndWaitForFirstFrameAsync(TestImages.Cropped("dog.jpg", 2), frames);
            using (call)
            {
                worker.Terminate();
                JobEvent handedBack;
                var seen = new List<JobEvent>();
                do
                {
                    Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None),
                        $"the stream ended before the hand-back: {EventAssertions.Describe(seen)}\n{worker.Output}");
                    handedBack = call.ResponseStream.Current.Event;
                    seen.Add(handedBack);
                    reader.Apply(handedBack);
                }
                while (handedBack.Status?.State != JobState.Queued);

                Assert.Contains("stopped before finishing", handedBack.Status.Message);
                Assert.Equal(0, await worker.WaitForExitAsync(TimeSpan.FromSeconds(15)));
                await using var finisher = await stack.StartWorkerAsync("after-handback");
                Assert.True(await reader.ReadToEndAsync(call.ResponseStream.Events()));
            }

            Assert.Equal(1, reader.Restarts);
            AssertFramesCompleteAndValid(reader, frames);
            var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
            Assert.Equal((JobState.Done, 2), (job.State, job.Attempts));
        }
    }
}

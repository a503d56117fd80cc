using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Gateway.Jobs;
using SaliencySlider.Service.Tests.Infrastructure;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Reliability;

public sealed class PoisonAndStreamTests(ServiceStack stack) : IClassFixture<ServiceStack>
{
    private async Task<string> SubmitAsync(byte[] image)
    {
        var submitted = await stack.Client.SubmitAsync(new SubmitRequest
        {
            Image = ByteString.CopyFrom(image),
            Options = new ExplainOptions { FrameCount = 3, MaxFrameSide = 32 },
        }, stack.Deadline());
        return submitted.JobId;
    }

    [Fact]
    public async Task A_job_the_worker_fails_on_every_attempt_ends_in_the_dead_letter_stream_after_3()
    {
        var jobId = await SubmitAsync(TestImages.Cropped("giraffe.jpg", 3));
        // A job record the worker cannot read (as after a gateway/worker version skew): every attempt
        // fails with an unexpected error, never with a client error.
        await stack.Redis.HashSetAsync(stack.Keys.Job(jobId), "options", new byte[] { 0xff, 0xff, 0xff, 0xff });
        // Follow the stream before any attempt starts: a client that joins later replays only the last attempt.
        using var call = stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, stack.Deadline());
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var events = new List<JobEvent> { call.ResponseStream.Current.Event };
        await using var worker = await stack.StartWorkerAsync("poison");

        events.AddRange(await ServiceStack.ReadAllAsync(call.ResponseStream.Events()));

        var last = events[^1].Status;
        Assert.Equal(JobState.Failed, last.State);
        Assert.Contains("gave up after 3 failed attempts; last error: the explainer failed", last.Message);
        Assert.Equal(2, events.Count(e => e.Status?.State == JobState.Queued && e.Status.Message.Contains("queued again", StringComparison.Ordinal)));
        Assert.Equal(3, worker.Metrics.JobsStarted);
        var dead = Assert.Single(await stack.Redis.StreamRangeAsync(stack.DeadLetterStream));
        Assert.Equal(jobId, (string?)dead["job_id"]);
        Assert.Equal(3, (int)dead["attempts"]);
        Assert.Equal(last.Message, (string?)dead["error"]);
        var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
        Assert.Equal((JobState.Failed, 3, last.Message), (job.State, job.Attempts, job.Error));
        await worker.DisposeAsync(); // a stopped worker has acknowledged the entry it failed
        Assert.Empty(await stack.Redis.StreamPendingMessagesAsync(stack.QueueStream, stack.Keys.Group, 10, RedisValue.Null));
    }

    [Fact]
    public async Task Streams_that_clients_abandon_release_their_followers()
    {
        const int streams = 20;
        var follower = stack.Gateway.Services.GetService(typeof(JobEventFollower)) as JobEventFollower;
        Assert.NotNull(follower);
        var jobId = await SubmitAsync(TestImages.Cropped("flower.jpg", 2)); // no worker: the job stays QUEUED
        var calls = new List<(Grpc.Core.AsyncServerStreamingCall<StreamFramesResponse> Call, CancellationTokenSource Cancel)>();
        for (var i = 0; i < streams; i++)
        {
            var cancel = new CancellationTokenSource();
            var call = stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, cancellationToken: cancel.Token);
            Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None)); // QUEUED: the stream is being followed
            calls.Add((call, cancel));
        }

        Assert.Equal(streams, follower.ActiveFollowers);
        foreach (var (call, cancel) in calls)
        {
            await cancel.CancelAsync();
            call.Dispose();
            cancel.Dispose();
        }

        // No event marks the server noticing a reset stream: poll the gauge, with a deadline.
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        while (follower.ActiveFollowers > 0 && DateTime.UtcNow < deadline)
        {
            await Task.Delay(20);
        }

        Assert.Equal(0, follower.ActiveFollowers);
    }
}

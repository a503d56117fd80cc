using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.Service.Tests.Infrastructure;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Service.Tests.Rest;

/// <summary>
/// REST event streams deliver each event as it is written. No worker runs here: the test writes the job's
/// events itself with the worker's <see cref="JobWriter"/>, so it decides when the job completes.
/// </summary>
public sealed class RestStreamTests(ServiceStack stack) : IClassFixture<ServiceStack>, IDisposable
{
    private readonly RestClient _rest = new(stack);

    [Fact]
    public async Task The_events_route_delivers_the_first_frame_before_the_job_completes()
    {
        var submitted = await _rest.CallAsync<SubmitResponse>(HttpMethod.Post, "/v1/jobs", new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Read("eagle.jpg")),
            Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 64 },
        });
        using var response = await _rest.SendAsync(HttpMethod.Get, $"/v1/jobs/{submitted.JobId}/events");
        await using var events = RestClient.LinesAsync<StreamFramesResponse>(response).Select(line => line.Event).GetAsyncEnumerator();
        Assert.Equal(JobState.Queued, (await NextAsync(events)).Status.State);

        var worker = await TakeJobAsync(submitted.JobId);
        await worker.MarkRunningAsync(DateTimeOffset.UtcNow, "");
        await worker.WriteExplanationAsync(new Explanation { FrameCount = 2, Prediction = new Prediction { TargetClass = 22 } });
        var firstFrame = new Frame { Index = 0, Percent = 0, Image = ByteString.CopyFromUtf8("frame 0"), MimeType = "image/jpeg" };
        await worker.WriteFrameAsync(firstFrame);

        Assert.Equal(JobState.Running, (await NextAsync(events)).Status.State);
        Assert.Equal(22, (await NextAsync(events)).Explanation.Prediction.TargetClass);
        Assert.Equal(firstFrame, (await NextAsync(events)).Frame);
        var running = await _rest.CallAsync<GetJobResponse>(HttpMethod.Get, $"/v1/jobs/{submitted.JobId}");
        Assert.Equal((JobState.Running, 1), (running.Job.State, running.Job.FramesReady));

        await worker.WriteFrameAsync(new Frame { Index = 1, Percent = 100, Image = ByteString.CopyFromUtf8("frame 1"), MimeType = "image/jpeg" });
        await worker.CompleteAsync(new Completed { InsertionAuc = 0.5f, Timings = new Timings() }, DateTimeOffset.UtcNow);

        Assert.Equal(1, (await NextAsync(events)).Frame.Index);
        Assert.Equal(0.5f, (await NextAsync(events)).Completed.InsertionAuc);
        Assert.False(await events.MoveNextAsync(), "the stream ends after Completed");
    }

    [Fact]
    public async Task Explain_answers_the_queued_status_with_the_job_id_while_no_worker_exists()
    {
        using var response = await _rest.SendAsync(HttpMethod.Post, "/v1/explain", new ExplainRequest
        {
            Image = ByteString.CopyFrom(TestImages.Read("coffee.png")),
            Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 64 },
        });
        await using var events = RestClient.LinesAsync<ExplainResponse>(response).GetAsyncEnumerator();

        var first = (await NextAsync(events)).Event.Status;

        Assert.Equal(JobState.Queued, first.State);
        Assert.True(JobIdFactory.IsWellFormed(first.JobId), first.JobId);
    }

    /// <summary>What a worker's claim does to the job record, reduced to the lease that <see cref="JobWriter"/> checks.</summary>
    private async Task<JobWriter> TakeJobAsync(string jobId)
    {
        const string lease = "rest-stream-test";
        var keys = stack.Keys;
        await stack.Redis.HashSetAsync(keys.Job(jobId), JobFields.Lease, lease);
        return new JobWriter(stack.Redis, keys, jobId, attempt: 1, lease, TimeSpan.FromMinutes(15), TimeSpan.FromMinutes(15));
    }

    private static async Task<T> NextAsync<T>(IAsyncEnumerator<T> events)
    {
        Assert.True(await events.MoveNextAsync().AsTask().WaitAsync(ServiceStack.CallTimeout), "the stream ended early");
        return events.Current;
    }

    public void Dispose() => _rest.Dispose();
}

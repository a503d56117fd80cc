using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using static SaliencySlider.Service.Tests.Infrastructure.EventAssertions;

namespace SaliencySlider.Service.Tests;

/// <summary>Clients that connect before a worker exists, and after the job is done.</summary>
public sealed class StreamTimingTests(ServiceStack stack) : IClassFixture<ServiceStack>
{
    private const int FrameCount = 5;

    [Fact]
    public async Task A_stream_opened_before_any_worker_gets_every_event_and_a_late_one_gets_the_replay()
    {
        var submitted = await stack.Client.SubmitAsync(new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Read("eagle.jpg")),
            Options = new ExplainOptions { FrameCount = FrameCount, MaxFrameSide = 96 },
        }, stack.Deadline());
        using var early = stack.Client.StreamFrames(new StreamFramesRequest { JobId = submitted.JobId }, stack.Deadline());
        // The first event proves the stream is open and following while no worker exists yet.
        Assert.True(await early.ResponseStream.MoveNext(CancellationToken.None));
        var firstEvent = early.ResponseStream.Current.Event;
        Assert.Equal(JobState.Queued, firstEvent.Status.State);
        var queued = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = submitted.JobId }, stack.Deadline())).Job;
        Assert.Equal(JobState.Queued, queued.State);
        Assert.Equal(0, queued.Attempts);

        await stack.StartWorkerAsync("late");
        var earlyEvents = new List<JobEvent> { firstEvent };
        earlyEvents.AddRange(await ServiceStack.ReadAllAsync(early.ResponseStream.Events()));

        AssertCompleteJob(earlyEvents, submitted.JobId, FrameCount);
        Assert.Equal(22, earlyEvents[2].Explanation.Prediction.Top[0].Index); // bald eagle
        var lateEvents = await stack.StreamAllAsync(submitted.JobId);
        Assert.Equal(earlyEvents, lateEvents);
    }
}

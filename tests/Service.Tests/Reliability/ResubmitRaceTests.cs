using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Reliability;

public sealed class ResubmitRaceTests(ServiceStack stack) : IClassFixture<ServiceStack>
{
    [Fact]
    public async Task A_follower_of_a_failed_job_that_is_submitted_again_follows_the_new_attempts_to_the_end()
    {
        var request = new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Cropped("dog.jpg", 5)),
            Options = new ExplainOptions { FrameCount = 3, MaxFrameSide = 32 },
        };
        var jobId = (await stack.Client.SubmitAsync(request, stack.Deadline())).JobId;
        // The job as a follower can find it just before it is submitted again: failed after three attempts
        // (its FAILED event not read yet). The follower takes attempt 3 as the one to show.
        var jobKey = stack.Keys.Job(jobId);
        await stack.Redis.HashSetAsync(jobKey, [new("state", "FAILED"), new("attempts", 3)]);
        using var call = stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, stack.Deadline());
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(JobState.Queued, call.ResponseStream.Current.Event.Status.State);

        var again = await stack.Client.SubmitAsync(request, stack.Deadline());
        await using var worker = await stack.StartWorkerAsync("resubmit");
        var events = await ServiceStack.ReadAllAsync(call.ResponseStream.Events());

        Assert.False(again.Cached);
        Assert.Equal(jobId, again.JobId);
        Assert.Contains(events, e => e.Status?.State == JobState.Running);
        Assert.Equal(3, events.Count(e => e.EventCase == JobEvent.EventOneofCase.Frame));
        Assert.Equal(JobEvent.EventOneofCase.Completed, events[^1].EventCase);
    }
}

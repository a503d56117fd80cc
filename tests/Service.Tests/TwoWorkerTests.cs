using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using static SaliencySlider.Service.Tests.Infrastructure.EventAssertions;

namespace SaliencySlider.Service.Tests;

public sealed class TwoWorkerTests(ServiceStack stack) : IClassFixture<ServiceStack>
{
    [Fact]
    public async Task Two_workers_on_one_queue_run_each_job_exactly_once()
    {
        await using var first = await stack.StartWorkerAsync("first");
        await using var second = await stack.StartWorkerAsync("second");
        var images = new[] { "chelsea.png", "coffee.png", "eagle.jpg" }
            .SelectMany(name => new[] { TestImages.Cropped(name, 1), TestImages.Cropped(name, 4) })
            .ToList();

        var jobIds = new List<string>();
        foreach (var image in images)
        {
            var submitted = await stack.Client.SubmitAsync(new SubmitRequest
            {
                Image = ByteString.CopyFrom(image),
                Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 64 },
            }, stack.Deadline());
            Assert.False(submitted.Cached);
            jobIds.Add(submitted.JobId);
        }

        Assert.Equal(images.Count, jobIds.Distinct().Count());
        foreach (var jobId in jobIds)
        {
            var events = await stack.StreamAllAsync(jobId);
            AssertCompleteJob(events, jobId, frameCount: 2);
            Assert.Single(events, e => e.EventCase == JobEvent.EventOneofCase.Status && e.Status.State == JobState.Running);
            var job = (await stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, stack.Deadline())).Job;
            Assert.Equal(1, job.Attempts);
            Assert.Equal(JobState.Done, job.State);
        }

        Assert.Equal(images.Count, first.Metrics.JobsStarted + second.Metrics.JobsStarted);

        // Stopped workers have acknowledged everything: acknowledged entries are trimmed from the queue,
        // which keeps only the last delivered one (the group's position).
        await first.DisposeAsync();
        await second.DisposeAsync();
        Assert.Equal(1, await stack.Redis.StreamLengthAsync(stack.QueueStream));
        Assert.Equal(0, (await stack.Redis.StreamPendingAsync(stack.QueueStream, stack.Keys.Group)).PendingMessageCount);
    }
}

using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SaliencySlider.Service.Tests.Cluster;

/// <summary>A cluster of the test's own: it kills one of the primaries.</summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Jobs = 24;
    private const int QueuedBeforeKill = 8;
    private const int FrameCount = 9;

    [Fact]
    public async Task A_primary_killed_under_load_loses_no_accepted_job()
    {
        var cluster = new RedisCluster();
        await cluster.InitializeAsync();
        var stack = ShardedStack.Create(
            cluster,
            new("Redis:ReplicaAcks", "1"),
            new("Redis:ReplicaAckTimeout", "00:00:02"),
            new("Queue:VisibilityTimeout", "00:00:03"),
            new("Queue:MaxAttempts", "20"));
        try
        {
            await stack.InitializeAsync();
            var keys = stack.Keys;
            await using var worker = await stack.StartWorkerAsync("first", new KeyValuePair<string, string?>("Worker:Concurrency", "2"));
            var submissions = ShardedStack.Submissions(Jobs, FrameCount).ToList();

            var accepted = new List<string>();
            foreach (var request in submissions.Take(QueuedBeforeKill))
            {
                accepted.Add((await stack.Client.SubmitAsync(request, stack.Deadline())).JobId);
            }

            // Shard 0's primary dies without a goodbye while one of its jobs is writing frames, and the rest are submitted meanwhile.
            var victimJob = accepted.First(jobId => keys.ShardOf(jobId) == 0);
            using var follow = stack.Client.StreamFrames(new StreamFramesRequest { JobId = victimJob }, stack.Deadline());
            var kill = cluster.KillPrimaryOfAsync(keys.Queue(0), FirstFrameAsync(follow.ResponseStream));
            var refused = new List<SubmitRequest>();
            foreach (var request in submissions.Skip(QueuedBeforeKill))
            {
                try
                {
                    accepted.Add((await stack.Client.SubmitAsync(request, stack.Deadline())).JobId);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    refused.Add(request); // not accepted: the client was told to retry
                }
            }

            await kill;
            output.WriteLine($"accepted {accepted.Count} around the kill and failover, refused {refused.Count} (submitted again now)");
            foreach (var request in refused)
            {
                accepted.Add((await RetryingAsync(async () => await stack.Client.SubmitAsync(request, stack.Deadline()))).JobId);
            }

            Assert.Equal(Jobs, accepted.Distinct().Count());
            var restarted = 0;
            foreach (var jobId in accepted)
            {
                // A job whose attempt the failover cut short (its writes refused, its claim expired) ran again from the start.
                var job = new AttemptAwareReader();
                foreach (var jobEvent in await RetryingAsync(() => stack.StreamAllAsync(jobId)))
                {
                    job.Apply(jobEvent);
                }

                Assert.True(job.Completed is not null && job.Failed is null, $"job {jobId} did not complete");
                Assert.NotNull(job.Explanation);
                Assert.Equal(Enumerable.Range(0, FrameCount), job.Frames.Select(f => f.Index).Order());
                restarted += job.Restarts;
            }

            output.WriteLine($"{restarted} attempts restarted after the failover");
        }
        finally
        {
            await stack.DisposeAsync();
            await cluster.DisposeAsync();
        }
    }

    private static async Task FirstFrameAsync(IAsyncStreamReader<StreamFramesResponse> stream)
    {
        while (await stream.MoveNext(CancellationToken.None))
        {
            if (stream.Current.Event.EventCase == JobEvent.EventOneofCase.Frame)
            {
                return;
            }
        }

        throw new InvalidOperationException("the job's stream ended before its first frame");
    }

    /// <summary>Calls again while the gateway answers UNAVAILABLE (the job's slot failing over), as a client would.</summary>
    private static async Task<T> RetryingAsync<T>(Func<Task<T>> call)
    {
        var deadline = DateTime.UtcNow + ServiceStack.CallTimeout;
        while (true)
        {
            try
            {
                return await call();
            }
            catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200); // a client's retry back-off
            }
        }
    }
}

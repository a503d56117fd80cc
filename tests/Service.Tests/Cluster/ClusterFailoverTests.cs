using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SaliencySlider.Service.Tests.Cluster;

/// <summary>A cluster of the test's own: it kills one of the primaries.</summary>
public sealed class ClusterFailoverTests(ITestOutputHelper output)
{
    private const int Jobs = 24;
    private const int KillAfterAccepted = 8;

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
            var keys = ShardedStack.Keys(stack);
            await using var worker = await stack.StartWorkerAsync("first", new KeyValuePair<string, string?>("Worker:Concurrency", "2"));

            var accepted = new List<string>();
            var refused = new List<SubmitRequest>();
            Task? kill = null;
            foreach (var request in ShardedStack.Submissions(Jobs))
            {
                try
                {
                    accepted.Add((await stack.Client.SubmitAsync(request, stack.Deadline())).JobId);
                }
                catch (RpcException e) when (e.StatusCode == StatusCode.Unavailable)
                {
                    refused.Add(request); // not accepted: the client was told to retry
                }

                if (accepted.Count == KillAfterAccepted && kill is null)
                {
                    // Jobs are queued and running on every shard now; shard 0's primary dies without a goodbye.
                    kill = cluster.KillPrimaryOfAsync(keys.Queue(0));
                }
            }

            await kill!;
            output.WriteLine($"accepted {accepted.Count} while the primary was killed and failed over, refused {refused.Count} (submitted again now)");
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
                Assert.Equal(Enumerable.Range(0, ShardedStack.FrameCount), job.Frames.Select(f => f.Index).Order());
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

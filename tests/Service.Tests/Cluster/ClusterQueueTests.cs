using Microsoft.Extensions.Configuration;
using SaliencySlider.Gateway;
using SaliencySlider.Service.Tests.Infrastructure;
using SaliencySlider.Shared.Jobs;
using static SaliencySlider.Service.Tests.Infrastructure.EventAssertions;

namespace SaliencySlider.Service.Tests.Cluster;

[Collection(RedisClusterCollection.Name)]
public sealed class ClusterQueueTests(RedisCluster cluster)
{
    [Fact]
    public void The_gateway_refuses_to_start_on_a_cluster_with_the_unsharded_layout_and_says_what_to_set()
    {
        var refused = Assert.Throws<InvalidOperationException>(() => GatewayApplication.Build([], configuration => configuration.AddInMemoryCollection(
        [
            new("Redis:Configuration", cluster.Configuration),
            new("Models:Directory", RepoPaths.ModelDirectory),
            new("Models:ManifestDirectory", RepoPaths.ManifestDirectory),
        ])));

        Assert.Contains("set Queue__Shards to at least the number of primaries", refused.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Jobs_on_every_shard_are_taken_in_turn_across_the_primaries_and_completed()
    {
        var stack = ShardedStack.Create(cluster);
        await stack.InitializeAsync();
        try
        {
            var keys = stack.Keys;
            var primaries = new HashSet<OwnRedisServer?>();
            for (var shard = 0; shard < keys.Shards; shard++)
            {
                primaries.Add(await cluster.PrimaryOfSlotAsync(cluster.Connection.HashSlot(keys.Queue(shard))));
            }

            Assert.Equal(RedisCluster.Primaries, primaries.Count); // one shard on each primary

            // Queued with no worker running: every job waits, and its position counts the jobs of all shards ahead of it.
            var jobIds = new List<string>();
            foreach (var request in ShardedStack.Submissions(18))
            {
                var submitted = await stack.Client.SubmitAsync(request, stack.Deadline());
                Assert.False(submitted.Cached);
                Assert.Equal(jobIds.Count, submitted.QueuePosition);
                jobIds.Add(submitted.JobId);
            }

            var perShard = jobIds.GroupBy(keys.ShardOf).ToDictionary(g => g.Key, g => g.Count());
            Assert.Equal(keys.Shards, perShard.Count);
            var rounds = perShard.Values.Min();
            Assert.True(rounds >= 2, $"jobs per shard: {string.Join(", ", perShard.Values)}");

            await using (var worker = await stack.StartWorkerAsync("only"))
            {
                foreach (var jobId in jobIds)
                {
                    AssertCompleteJob(await stack.StreamAllAsync(jobId), jobId, ShardedStack.FrameCount);
                }
            }

            // One worker slot took the jobs one at a time: while every shard still had jobs, it took one from each in turn.
            var started = new List<(long At, int Shard)>();
            foreach (var jobId in jobIds)
            {
                started.Add(((long)await stack.Redis.HashGetAsync(keys.Job(jobId), JobFields.StartedAt), keys.ShardOf(jobId)));
            }

            var order = started.OrderBy(s => s.At).Select(s => s.Shard).ToList();
            for (var round = 0; round < rounds; round++)
            {
                var taken = order.Skip(round * keys.Shards).Take(keys.Shards).Order();
                Assert.True(taken.SequenceEqual(Enumerable.Range(0, keys.Shards)), $"shards in the order their jobs started: {string.Join(' ', order)}");
            }

            for (var shard = 0; shard < keys.Shards; shard++)
            {
                Assert.Equal(0, (await stack.Redis.StreamPendingAsync(keys.Queue(shard), keys.Group)).PendingMessageCount);
                Assert.Equal(1, await stack.Redis.StreamLengthAsync(keys.Queue(shard))); // trimmed to the group's position
            }
        }
        finally
        {
            await stack.DisposeAsync();
        }
    }
}

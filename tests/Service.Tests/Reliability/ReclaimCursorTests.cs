using Microsoft.Extensions.Options;
using SaliencySlider.ExplainerWorker.Queue;
using SaliencySlider.Service.Tests.Infrastructure;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Service.Tests.Reliability;

/// <summary>The workers' reclaim scan against a real Redis pending list with many live entries.</summary>
public sealed class ReclaimCursorTests
{
    private const string Group = JobKeys.DefaultGroup;

    [Fact]
    public async Task A_dead_workers_job_behind_30_live_jobs_in_flight_is_reclaimed_in_one_scan()
    {
        var configuration = await RedisServer.ConfigurationAsync();
        await using var redis = await ConnectionMultiplexer.ConnectAsync(configuration);
        var database = redis.GetDatabase();
        var stream = "test-" + Guid.NewGuid().ToString("N")[..10] + ":jobs";
        var options = new QueueOptions { Stream = stream, Group = Group, VisibilityTimeout = TimeSpan.FromMinutes(1) };
        await using var blocking = new BlockingStreamReader(configuration, 1, options.BlockTime, "reclaim-test");
        var queue = new JobQueue(redis, blocking, new JobKeys("test", options), Options.Create(options));
        await queue.EnsureGroupAsync();
        try
        {
            // 30 jobs held by live workers (their claims just refreshed), then one whose worker died an hour ago.
            for (var i = 0; i < 31; i++)
            {
                await database.StreamAddAsync(stream, QueueFields.JobId, $"job-{i}");
            }

            var live = await database.StreamReadGroupAsync(stream, Group, "live-worker", ">", count: 30);
            var dead = await database.StreamReadGroupAsync(stream, Group, "dead-worker", ">", count: 1);
            Assert.Equal(30, live.Length);
            await database.ExecuteAsync("XCLAIM", stream, Group, "dead-worker", 0, dead[0].Id, "IDLE", (long)TimeSpan.FromHours(1).TotalMilliseconds);

            var reclaimed = await queue.ReclaimAbandonedAsync("survivor");

            var job = Assert.Single(reclaimed);
            Assert.Equal("job-30", job.JobId);
            Assert.Empty(await queue.ReclaimAbandonedAsync("survivor")); // the live workers' entries stay theirs
            var pending = await database.StreamPendingMessagesAsync(stream, Group, 100, "live-worker");
            Assert.Equal(30, pending.Length);
        }
        finally
        {
            await database.KeyDeleteAsync(stream);
        }
    }
}

using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>Creates each shard's queue stream and its consumer group at start, so queue positions can be read before any worker ran.</summary>
public sealed class QueueInitializer(IConnectionMultiplexer redis, JobKeys keys, ILogger<QueueInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var shard = 0; shard < keys.Shards; shard++)
        {
            try
            {
                await ConsumerGroups.EnsureAsync(redis.GetDatabase(), keys.Queue(shard), keys.Group);
            }
            catch (RedisException e)
            {
                // Redis may come up after the gateway; the workers create the group too.
                logger.LogWarning(e, "Could not create consumer group {Group} on {Stream} yet", keys.Group, (string?)keys.Queue(shard));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

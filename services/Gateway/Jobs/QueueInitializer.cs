using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>Creates each shard's queue stream and its consumer group at start, so queue positions can be read before any worker ran.</summary>
public sealed class QueueInitializer(IConnectionMultiplexer redis, JobKeys keys, IOptions<QueueOptions> queue, ILogger<QueueInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        for (var shard = 0; shard < keys.Shards; shard++)
        {
            try
            {
                await ConsumerGroups.EnsureAsync(redis.GetDatabase(), keys.Queue(shard), queue.Value.Group);
            }
            catch (RedisException e)
            {
                // Redis may come up after the gateway; the workers create the group too.
                logger.LogWarning(e, "Could not create consumer group {Group} on {Stream} yet", queue.Value.Group, (string?)keys.Queue(shard));
            }
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

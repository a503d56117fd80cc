using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>Creates the queue stream and its consumer group at start, so queue positions can be read before any worker ran.</summary>
public sealed class QueueInitializer(IConnectionMultiplexer redis, IOptions<QueueOptions> queue, ILogger<QueueInitializer> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        try
        {
            await ConsumerGroups.EnsureAsync(redis.GetDatabase(), queue.Value.Stream, queue.Value.Group);
        }
        catch (RedisException e)
        {
            // Redis may come up after the gateway; the workers create the group too.
            logger.LogWarning(e, "Could not create consumer group {Group} on {Stream} yet", queue.Value.Group, queue.Value.Stream);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}

using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Models;

/// <summary>What the live workers report about themselves (their heartbeats in Redis).</summary>
public sealed class WorkerDirectory(IConnectionMultiplexer redis, JobKeys keys, TimeProvider clock)
{
    /// <summary>The execution provider of the most recently seen live worker; empty when no worker is live.</summary>
    public async Task<string> ExecutionProviderAsync()
    {
        var entries = await redis.GetDatabase().HashGetAllAsync(keys.Workers);
        var now = clock.GetUtcNow();
        return entries
            .Select(e => WorkerHeartbeat.TryDecode(e.Value))
            .Where(h => h is { } heartbeat && heartbeat.IsAlive(now))
            .Select(h => h!.Value)
            .OrderByDescending(h => h.SeenAt)
            .Select(h => h.ExecutionProvider)
            .FirstOrDefault() ?? "";
    }
}

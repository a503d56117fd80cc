using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

public static class ClusterLayoutCheck
{
    /// <summary>
    /// Refuses to start on a Redis Cluster with the unsharded layout (Queue:Shards = 1), whose scripts span
    /// slots and would fail on every Submit. Says nothing while Redis cannot be reached yet.
    /// </summary>
    public static void ThrowIfUnsharded(IConnectionMultiplexer redis, JobKeys keys)
    {
        if (keys.Shards == 1 && redis.GetServers().Any(server => server.IsConnected && server.ServerType == ServerType.Cluster))
        {
            throw new InvalidOperationException(
                "Redis__Configuration names a Redis Cluster, but Queue__Shards is 1 (the layout of a single Redis, whose scripts " +
                "span cluster slots): set Queue__Shards to at least the number of primaries, the same for the gateway and the workers");
        }
    }
}

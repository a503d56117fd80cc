using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>The job was written to its primary but not copied to <c>Redis:ReplicaAcks</c> replicas in time.</summary>
public sealed class ReplicaAckException(long acknowledged, int required, TimeSpan timeout)
    : Exception($"the job store could not copy the job to {required} replica(s) within {timeout.TotalSeconds:0.###} s " +
        $"({acknowledged} acknowledged); it is not accepted yet: submit it again")
{
}

/// <summary>
/// WAIT on the primary that holds a key: returns once <c>Redis:ReplicaAcks</c> replicas have every write this
/// gateway's connection to that primary made so far (the multiplexer has one such connection per server, the
/// one the enqueue script went through), else throws <see cref="ReplicaAckException"/>. Redis replicates
/// asynchronously, so only this makes an accepted job survive a failover of its primary. WAIT cannot run
/// inside a script, and names no key, so it is sent to the key's server explicitly.
/// </summary>
public sealed class ReplicaAcknowledgement(IConnectionMultiplexer redis, IOptions<RedisOptions> options)
{
    private readonly RedisOptions _options = options.Value;

    public async Task WaitAsync(RedisKey key)
    {
        if (_options.ReplicaAcks <= 0)
        {
            return;
        }

        var database = redis.GetDatabase();
        var endpoint = await database.IdentifyEndpointAsync(key);
        var timeoutMs = (long)_options.ReplicaAckTimeout.TotalMilliseconds;
        var acknowledged = endpoint is null ? 0 : (long)await redis.GetServer(endpoint).ExecuteAsync("WAIT", _options.ReplicaAcks, timeoutMs);
        // A failover between the write and the WAIT would send the WAIT to the new primary, where this connection
        // wrote nothing yet: the key must still be there for the answer to mean anything.
        if (acknowledged < _options.ReplicaAcks || !await database.KeyExistsAsync(key))
        {
            throw new ReplicaAckException(acknowledged, _options.ReplicaAcks, _options.ReplicaAckTimeout);
        }
    }
}

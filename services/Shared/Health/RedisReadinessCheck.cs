using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Health;

/// <summary>
/// Ready while Redis answers PING. A connection the client already knows is down fails at once; a
/// PING gets a short deadline, because a probe must answer before its own timeout.
/// </summary>
public sealed class RedisReadinessCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public const string Name = "redis";
    private static readonly TimeSpan PingTimeout = TimeSpan.FromSeconds(1.5);

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (!redis.IsConnected)
        {
            return HealthCheckResult.Unhealthy("not connected to redis");
        }

        try
        {
            var latency = await redis.GetDatabase().PingAsync().WaitAsync(PingTimeout, cancellationToken);
            return HealthCheckResult.Healthy($"redis answered in {latency.TotalMilliseconds:0.#} ms");
        }
        catch (Exception e) when (e is RedisException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("redis does not answer", e);
        }
    }
}

using System.ComponentModel.DataAnnotations;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Redis".</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string ("host:port,password=...") or a redis:// URL.</summary>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Prefix of every key the service writes (tests use a unique one per test class).</summary>
    public string KeyPrefix { get; set; } = JobKeys.DefaultPrefix;

    /// <summary>
    /// Replicas that must have a new job before Submit acknowledges it (WAIT after the enqueue script), so a
    /// failover of the job's primary cannot lose an accepted job; 0: no wait (a Redis without replicas).
    /// </summary>
    public int ReplicaAcks { get; set; }

    /// <summary>Longest Submit waits for <see cref="ReplicaAcks"/>; without them by then it answers UNAVAILABLE.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan ReplicaAckTimeout { get; set; } = TimeSpan.FromSeconds(2);
}

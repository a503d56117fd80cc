using System.ComponentModel.DataAnnotations;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Queue": the job queue stream and its consumer group.</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    public const int MaxShards = 1024;

    public string Stream { get; set; } = JobKeys.DefaultQueueStream;

    /// <summary>
    /// Queue shards: streams, each with its jobs, activity and dead-letter streams in one Redis Cluster slot
    /// (see JobKeys). 1 keeps the unsharded key names of a single Redis; on Redis Cluster set at least the
    /// number of primaries.
    /// </summary>
    [Range(1, MaxShards)]
    public int Shards { get; set; } = 1;
    public string Group { get; set; } = JobKeys.DefaultGroup;

    /// <summary>Stream that receives one entry per job given up on after <see cref="MaxAttempts"/> failed attempts.</summary>
    public string DeadLetterStream { get; set; } = JobKeys.DefaultDeadLetterStream;

    /// <summary>Longest a blocking stream read waits before the reader checks for cancellation again.</summary>
    [Range(typeof(TimeSpan), "00:00:00.001", "1.00:00:00")]
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A job delivered to a worker that has not refreshed its claim for this long is taken as
    /// abandoned (its worker died) and is claimed by another worker (XAUTOCLAIM).
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a worker refreshes its claim on the job it runs; zero: a third of <see cref="VisibilityTimeout"/>.</summary>
    public TimeSpan ClaimRefreshInterval { get; set; } = TimeSpan.Zero;

    /// <summary>Failed attempts (worker crashes, unexpected engine errors) after which a job is FAILED and dead-lettered.</summary>
    [Range(1, int.MaxValue)]
    public int MaxAttempts { get; set; } = 3;

    /// <summary>
    /// Jobs waiting or running above which Submit answers RESOURCE_EXHAUSTED; 0: no limit. Checked per shard
    /// (atomically, in the enqueue script) against <see cref="MaxDepthPerShard"/>.
    /// </summary>
    public long MaxDepth { get; set; } = 1000;

    /// <summary>The retry hint Submit gives when the queue is full.</summary>
    public TimeSpan BusyRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>A shard refuses new jobs at its share of <see cref="MaxDepth"/>, rounded up (0: no limit).</summary>
    public long MaxDepthPerShard => MaxDepth <= 0 ? 0 : (MaxDepth + Shards - 1) / Shards;

    public TimeSpan EffectiveClaimRefreshInterval => ClaimRefreshInterval > TimeSpan.Zero
        ? ClaimRefreshInterval
        : VisibilityTimeout / 3;
}

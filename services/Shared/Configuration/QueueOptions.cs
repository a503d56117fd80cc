namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Queue": the job queue stream and its consumer group.</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    public string Stream { get; set; } = "saliency:jobs";
    public string Group { get; set; } = "workers";

    /// <summary>Stream that receives one entry per job given up on after <see cref="MaxAttempts"/> failed attempts.</summary>
    public string DeadLetterStream { get; set; } = "saliency:jobs:dead";

    /// <summary>Longest a blocking stream read waits before the reader checks for cancellation again.</summary>
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// A job delivered to a worker that has not refreshed its claim for this long is taken as
    /// abandoned (its worker died) and is claimed by another worker (XAUTOCLAIM).
    /// </summary>
    public TimeSpan VisibilityTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a worker refreshes its claim on the job it runs; zero: a third of <see cref="VisibilityTimeout"/>.</summary>
    public TimeSpan ClaimRefreshInterval { get; set; } = TimeSpan.Zero;

    /// <summary>Failed attempts (worker crashes, unexpected engine errors) after which a job is FAILED and dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 3;

    /// <summary>Jobs waiting or running above which Submit answers RESOURCE_EXHAUSTED; 0: no limit.</summary>
    public long MaxDepth { get; set; } = 1000;

    /// <summary>The retry hint Submit gives when the queue is full.</summary>
    public TimeSpan BusyRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    public TimeSpan EffectiveClaimRefreshInterval => ClaimRefreshInterval > TimeSpan.Zero
        ? ClaimRefreshInterval
        : VisibilityTimeout / 3;
}

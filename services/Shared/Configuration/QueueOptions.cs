namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Queue": the job queue stream and its consumer group.</summary>
public sealed class QueueOptions
{
    public const string Section = "Queue";

    public string Stream { get; set; } = "saliency:jobs";
    public string Group { get; set; } = "workers";
    public string DeadLetterStream { get; set; } = "saliency:jobs:dead";

    /// <summary>Longest a blocking stream read waits before the reader checks for cancellation again.</summary>
    public TimeSpan BlockTime { get; set; } = TimeSpan.FromSeconds(5);
}

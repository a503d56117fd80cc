namespace SaliencySlider.Engine.Explaining;

/// <summary>
/// Cross-job batching: concurrent <see cref="Explainer.ExplainAsync"/> calls share gradient runs and frame runs.
/// A run waits at most <see cref="MaxWait"/> for other jobs, and not at all once every running job has joined it.
/// </summary>
public sealed record JobBatchingOptions
{
    /// <summary>Most images in one gradient run (one per job).</summary>
    public int MaxJobs { get; init; } = 4;

    /// <summary>Longest a run waits for other jobs to join.</summary>
    public TimeSpan MaxWait { get; init; } = TimeSpan.FromMilliseconds(20);

    public TimeProvider Time { get; init; } = TimeProvider.System;
}

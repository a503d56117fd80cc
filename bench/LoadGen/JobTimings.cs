using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.LoadGen;

/// <summary>One client call: when its first frame and its completion arrived, what it received.</summary>
internal sealed record JobTimings(string JobId, double FirstFrameMs, double CompleteMs, int Frames, long Bytes, bool Cached, string? Error)
{
    /// <summary>The engine's stage timings of the job (the worker's, from Completed; in-process, the explainer's).</summary>
    public StageTimings? Stages { get; init; }

    /// <summary>Through the service: Submit → a worker starting the job, as the worker reports it.</summary>
    public double QueueMs { get; init; }

    /// <summary>Wall clock (Unix ms) when the client called Submit: the origin of the first-frame timeline.</summary>
    public double SubmittedAtUnixMs { get; init; }

    /// <summary>Through the service: when the job's events were written, from Redis's entry ids (see <see cref="FirstFrameTimeline"/>).</summary>
    public FirstFrameTimeline? Timeline { get; set; }
}

internal static class Percentiles
{
    public static double Of(IEnumerable<double> values, double q)
    {
        var sorted = values.Order().ToArray();
        if (sorted.Length == 0)
        {
            return double.NaN;
        }
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }
}

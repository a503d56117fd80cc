namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Jobs".</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>Lifetime of a job's record (state, prediction, timings), counted from its last write.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>
    /// Lifetime of a job's events (the frames) and image, counted from their last write: the bytes that fill
    /// Redis. A replay after it says the frames expired; a Submit of the same image computes them again.
    /// </summary>
    public TimeSpan FrameTtl { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Most bytes one job may store in Redis (image, explanation, frames), estimated at Submit.</summary>
    public long MaxJobBytes { get; set; } = 96 * 1024 * 1024;

    /// <summary>HMAC key of job ids; empty uses a fixed development secret (with a warning).</summary>
    public string IdSecret { get; set; } = "";

    public long MaxImageBytes { get; set; } = 10 * 1024 * 1024;
    public long MaxPixels { get; set; } = 40_000_000;
}

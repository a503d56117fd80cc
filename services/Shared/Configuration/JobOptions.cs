namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Jobs".</summary>
public sealed class JobOptions
{
    public const string Section = "Jobs";

    /// <summary>Lifetime of every key of a job, counted from its last write.</summary>
    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(24);

    /// <summary>HMAC key of job ids; empty uses a fixed development secret (with a warning).</summary>
    public string IdSecret { get; set; } = "";

    public long MaxImageBytes { get; set; } = 10 * 1024 * 1024;
    public long MaxPixels { get; set; } = 40_000_000;
}

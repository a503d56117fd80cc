using System.ComponentModel.DataAnnotations;

namespace SaliencySlider.Gateway.Security;

/// <summary>Section "Auth".</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Comma-separated API keys; empty (the default) lets every client in without a key.</summary>
    public string ApiKeys { get; set; } = "";
}

/// <summary>Section "RateLimit": a token bucket per client (API key, else remote address) on Submit and Explain.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "RateLimit";

    /// <summary>Sustained submissions per minute and client; 0 turns rate limiting off.</summary>
    public int SubmitsPerMinute { get; set; } = 60;

    /// <summary>Submissions a client may make at once before the sustained rate applies.</summary>
    [Range(1, int.MaxValue)]
    public int Burst { get; set; } = 20;

    /// <summary>Submissions a Score-CAM job counts as (see <see cref="SubmitCost"/>).</summary>
    [Range(1, int.MaxValue)]
    public int ScoreCamCost { get; set; } = 3;

    /// <summary>Submissions a comparison of every method counts as (see <see cref="SubmitCost"/>).</summary>
    [Range(1, int.MaxValue)]
    public int CompareCost { get; set; } = 13;
}

namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Redis".</summary>
public sealed class RedisOptions
{
    public const string Section = "Redis";

    /// <summary>A StackExchange.Redis configuration string ("host:port,password=...") or a redis:// URL.</summary>
    public string Configuration { get; set; } = "localhost:6379";

    /// <summary>Prefix of every key the service writes (tests use a unique one per test class).</summary>
    public string KeyPrefix { get; set; } = "saliency";
}

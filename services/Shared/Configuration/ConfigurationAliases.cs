using Microsoft.Extensions.Configuration;

namespace SaliencySlider.Shared.Configuration;

public static class ConfigurationAliases
{
    /// <summary>
    /// Accepts the short environment variables REDIS_URL and SALIENCY_MODELS_DIR as aliases of
    /// Redis:Configuration and Models:Directory; the long forms (Redis__Configuration,
    /// Models__Directory) win when both are set.
    /// </summary>
    public static IConfigurationBuilder AddShortEnvironmentAliases(this IConfigurationBuilder builder)
    {
        var aliases = new Dictionary<string, string?>();
        AddAlias(aliases, "REDIS_URL", "Redis__Configuration", "Redis:Configuration");
        AddAlias(aliases, "SALIENCY_MODELS_DIR", "Models__Directory", "Models:Directory");
        return aliases.Count > 0 ? builder.AddInMemoryCollection(aliases) : builder;
    }

    private static void AddAlias(Dictionary<string, string?> aliases, string alias, string longForm, string key)
    {
        var value = Environment.GetEnvironmentVariable(alias);
        if (!string.IsNullOrWhiteSpace(value) && Environment.GetEnvironmentVariable(longForm) is null)
        {
            aliases[key] = value;
        }
    }
}

using Microsoft.Extensions.Options;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Gateway.Models;

/// <summary>The models this deployment serves, read once at start from the manifests and model files (no ONNX session).</summary>
public sealed class ServedModels
{
    public ServedModels(IOptions<ModelsOptions> options, ILogger<ServedModels> logger)
    {
        var settings = options.Value;
        var modelDirectory = ModelsOptions.ResolveFolder(settings.Directory);
        var manifestDirectory = string.IsNullOrEmpty(settings.ManifestDirectory) ? null : ModelsOptions.ResolveFolder(settings.ManifestDirectory);
        Catalog = ModelCatalog.Load(manifestDirectory, modelDirectory, settings.Default);
        foreach (var warning in Catalog.Warnings)
        {
            logger.LogWarning("Model catalog: {Warning}", warning);
        }

        if (Catalog.Models.Count == 0)
        {
            logger.LogError("No model found in {ModelDirectory} (manifests: {ManifestDirectory}); every Submit will be refused", modelDirectory, manifestDirectory);
        }
        else if (logger.IsEnabled(LogLevel.Information))
        {
            logger.LogInformation("Serving models {Models} (default {Default})", KnownNames, Catalog.DefaultName);
        }
    }

    public ModelCatalog Catalog { get; }

    /// <summary>The named model, or the default one for an empty name; null when unknown.</summary>
    public ModelEntry? Find(string? name)
        => Catalog.TryGet(string.IsNullOrEmpty(name) ? Catalog.DefaultName : name, out var entry) ? entry : null;

    public string KnownNames => string.Join(", ", Catalog.Models.Select(m => m.Name));

    public static ModelLimits LimitsOf(ModelEntry model) => new(model.Name, model.ClassCount, model.DefaultLayer ?? "");
}

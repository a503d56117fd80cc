using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Gateway.Models;

/// <summary>The models this deployment serves, read once at start from the manifests and model files (no ONNX session).</summary>
public sealed class ServedModels
{
    private readonly ConcurrentDictionary<string, Lazy<ModelGraph?>> _graphs = new(StringComparer.Ordinal);
    private readonly ILogger<ServedModels> _logger;

    public ServedModels(IOptions<ModelsOptions> options, ILogger<ServedModels> logger)
    {
        _logger = logger;
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

    /// <summary>The model's graph without its weights, read on first use; null when it cannot be read (the worker then says why).</summary>
    public ModelGraph? GraphOf(ModelEntry model)
        => _graphs.GetOrAdd(model.Name, _ => new Lazy<ModelGraph?>(() => ReadGraph(model))).Value;

    public static ModelLimits LimitsOf(ModelEntry model) => new(model.Name, model.ClassCount, model.DefaultLayer ?? "");

    private ModelGraph? ReadGraph(ModelEntry model)
    {
        try
        {
            return ModelGraph.Load(model.OnnxPath);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or UnsupportedModelException)
        {
            _logger.LogWarning("Model {Model}: target layers are not checked at Submit, its graph cannot be read: {Reason}", model.Name, e.Message);
            return null;
        }
    }
}

using SaliencySlider.Engine.Models;

namespace SaliencySlider.Cli;

/// <summary>Finds the model the CLI explains with: a manifest or .onnx path, a catalog name, or the default.</summary>
internal static class ModelLocator
{
    public const string ModelsDirectoryVariable = "SALIENCY_MODELS_DIR";

    /// <summary>$SALIENCY_MODELS_DIR, else the first `shared/models` beside the working directory or the program (or their parents).</summary>
    public static string ModelDirectory()
    {
        var configured = Environment.GetEnvironmentVariable(ModelsDirectoryVariable);
        if (!string.IsNullOrEmpty(configured))
        {
            return Path.GetFullPath(configured);
        }
        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var folder = new DirectoryInfo(start); folder is not null; folder = folder.Parent)
            {
                var candidate = Path.Combine(folder.FullName, "shared", "models");
                if (Directory.Exists(candidate))
                {
                    return candidate;
                }
            }
        }
        return Path.GetFullPath(Path.Combine("..", "shared", "models"));
    }

    /// <summary>The manifests shipped with the program (the repository's models/*.json).</summary>
    public static string ManifestDirectory() => Path.Combine(AppContext.BaseDirectory, "models");

    public static ModelEntry Resolve(string? model)
    {
        var modelDirectory = ModelDirectory();
        if (!string.IsNullOrEmpty(model) && (File.Exists(model) || model.EndsWith(".json", StringComparison.OrdinalIgnoreCase) || model.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase)))
        {
            return ModelEntry.FromFile(model, modelDirectory);
        }
        var catalog = ModelCatalog.Load(ManifestDirectory(), modelDirectory);
        if (catalog.Models.Count == 0)
        {
            throw new FileNotFoundException($"no models found (manifests in {ManifestDirectory()}, model directory {modelDirectory}; set {ModelsDirectoryVariable})");
        }
        return catalog.Get(model);
    }
}

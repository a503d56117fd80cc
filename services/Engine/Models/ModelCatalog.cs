namespace SaliencySlider.Engine.Models;

/// <summary>
/// The models a deployment serves: every manifest in the manifest directory whose .onnx exists, plus every
/// .onnx in the model directory that no manifest names. Cheap to build: no ONNX session is created.
/// </summary>
public sealed class ModelCatalog
{
    public const string DefaultModelName = "mobilenet_v2_1.0_224";

    private readonly Dictionary<string, ModelEntry> _byName;

    private ModelCatalog(IReadOnlyList<ModelEntry> models, string defaultName)
    {
        Models = models;
        _byName = models.ToDictionary(m => m.Name, StringComparer.Ordinal);
        DefaultName = _byName.ContainsKey(defaultName) ? defaultName : models.Count > 0 ? models[0].Name : defaultName;
    }

    /// <summary>Sorted by name.</summary>
    public IReadOnlyList<ModelEntry> Models { get; }

    /// <summary>The configured default when it exists, else the first model.</summary>
    public string DefaultName { get; }

    public ModelEntry Default => Get(DefaultName);

    /// <summary>Problems met while loading (unreadable manifests, missing files); such models are skipped.</summary>
    public IReadOnlyList<string> Warnings { get; private init; } = [];

    public static ModelCatalog Load(string? manifestDirectory, string modelDirectory, string defaultName = DefaultModelName)
    {
        var entries = new List<ModelEntry>();
        var warnings = new List<string>();
        if (manifestDirectory is not null && Directory.Exists(manifestDirectory))
        {
            foreach (var manifestPath in Directory.EnumerateFiles(manifestDirectory, "*" + ModelManifest.DefaultFileExtension).Order(StringComparer.Ordinal))
            {
                try
                {
                    entries.Add(ModelEntry.FromManifest(manifestPath, modelDirectory));
                }
                catch (Exception e) when (e is IOException or Explaining.UnsupportedModelException)
                {
                    warnings.Add(e.Message);
                }
            }
        }
        if (Directory.Exists(modelDirectory))
        {
            var named = entries.Select(e => e.OnnxPath).ToHashSet(StringComparer.Ordinal);
            foreach (var onnxPath in Directory.EnumerateFiles(modelDirectory, "*.onnx").Order(StringComparer.Ordinal))
            {
                var fullPath = Path.GetFullPath(onnxPath);
                if (!named.Contains(fullPath))
                {
                    entries.Add(ModelEntry.FromBareOnnx(fullPath));
                }
            }
        }
        var unique = new List<ModelEntry>();
        foreach (var entry in entries)
        {
            if (unique.Any(u => u.Name == entry.Name))
            {
                warnings.Add($"model name {entry.Name} is used twice; keeping the first ({unique.First(u => u.Name == entry.Name).OnnxPath})");
                continue;
            }
            unique.Add(entry);
        }
        unique.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return new ModelCatalog(unique, defaultName) { Warnings = warnings };
    }

    public bool TryGet(string name, out ModelEntry entry) => _byName.TryGetValue(name, out entry!);

    /// <summary>The named model; the default one for an empty name.</summary>
    public ModelEntry Get(string? name)
    {
        var key = string.IsNullOrEmpty(name) ? DefaultName : name;
        return _byName.TryGetValue(key, out var entry)
            ? entry
            : throw new KeyNotFoundException($"unknown model '{key}' (known: {string.Join(", ", _byName.Keys.Order(StringComparer.Ordinal))})");
    }
}

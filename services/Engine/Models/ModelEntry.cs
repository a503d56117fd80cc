namespace SaliencySlider.Engine.Models;

/// <summary>A servable model: its manifest with every file resolved. Creating one opens no ONNX session.</summary>
public sealed record ModelEntry
{
    public required string Name { get; init; }
    public required ModelManifest Manifest { get; init; }
    public required string OnnxPath { get; init; }

    /// <summary>Null when the manifest names none (or the model is a bare .onnx): labels are class indices.</summary>
    public string? LabelsPath { get; init; }

    /// <summary>The manifest file; null for a bare .onnx.</summary>
    public string? ManifestPath { get; init; }

    /// <summary>Labels from the labels file; empty when there is none.</summary>
    public required IReadOnlyList<string> Labels { get; init; }

    public int InputWidth => Manifest.InputWidth;
    public int InputHeight => Manifest.InputHeight;

    /// <summary>Number of classes as far as known without opening the model (the labels' count; 0 if unknown).</summary>
    public int ClassCount => Labels.Count;

    public string? DefaultLayer => Manifest.TargetLayer;

    /// <summary>Reads a manifest (.json) or a bare .onnx (using a same-named .json beside it when there is one).</summary>
    public static ModelEntry FromFile(string path, string? modelDirectory = null)
    {
        var fullPath = Path.GetFullPath(path);
        if (!File.Exists(fullPath))
        {
            throw new FileNotFoundException($"model file not found: {path}", path);
        }
        if (fullPath.EndsWith(".onnx", StringComparison.OrdinalIgnoreCase))
        {
            var besideManifest = Path.ChangeExtension(fullPath, ModelManifest.DefaultFileExtension);
            if (File.Exists(besideManifest))
            {
                return FromManifest(besideManifest, modelDirectory);
            }
            return FromBareOnnx(fullPath);
        }
        return FromManifest(fullPath, modelDirectory);
    }

    public static ModelEntry FromManifest(string manifestPath, string? modelDirectory)
    {
        var manifest = ModelManifest.Load(manifestPath);
        var manifestFolder = Path.GetDirectoryName(Path.GetFullPath(manifestPath))!;
        var onnxPath = Resolve(manifest.Onnx, manifestFolder, modelDirectory)
            ?? throw new FileNotFoundException(
                $"model manifest {manifestPath} names {manifest.Onnx}, found neither beside it nor in the model directory", manifest.Onnx);
        string? labelsPath = null;
        if (manifest.Labels is not null)
        {
            labelsPath = Resolve(manifest.Labels, manifestFolder, modelDirectory)
                ?? Resolve(manifest.Labels, Path.GetDirectoryName(onnxPath)!, null)
                ?? throw new FileNotFoundException($"model manifest {manifestPath} names labels {manifest.Labels}, not found", manifest.Labels);
        }
        var name = string.IsNullOrWhiteSpace(manifest.Name) ? Path.GetFileNameWithoutExtension(onnxPath) : manifest.Name;
        return new ModelEntry
        {
            Name = name,
            Manifest = manifest with { Name = name },
            OnnxPath = onnxPath,
            LabelsPath = labelsPath,
            ManifestPath = Path.GetFullPath(manifestPath),
            Labels = labelsPath is null ? [] : ReadLabels(labelsPath),
        };
    }

    public static ModelEntry FromBareOnnx(string onnxPath)
    {
        var manifest = ModelManifest.ForBareOnnx(onnxPath);
        return new ModelEntry
        {
            Name = manifest.Name,
            Manifest = manifest,
            OnnxPath = Path.GetFullPath(onnxPath),
            Labels = [],
        };
    }

    private static string? Resolve(string file, string firstFolder, string? secondFolder)
    {
        if (Path.IsPathRooted(file))
        {
            return File.Exists(file) ? file : null;
        }
        foreach (var folder in new[] { firstFolder, secondFolder })
        {
            if (folder is null)
            {
                continue;
            }
            var candidate = Path.GetFullPath(Path.Combine(folder, file));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }
        return null;
    }

    private static string[] ReadLabels(string labelsPath)
    {
        var lines = File.ReadAllLines(labelsPath);
        var count = lines.Length;
        while (count > 0 && string.IsNullOrWhiteSpace(lines[count - 1]))
        {
            count--;
        }
        return lines[..count].Select(line => line.Trim()).ToArray();
    }
}

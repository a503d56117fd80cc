namespace SaliencySlider.Shared.Configuration;

/// <summary>Section "Models": where the served models are.</summary>
public sealed class ModelsOptions
{
    public const string Section = "Models";

    /// <summary>Folder with the .onnx files and label files.</summary>
    public string Directory { get; set; } = "../shared/models";

    /// <summary>Folder with one JSON manifest per served model (may be absent).</summary>
    public string ManifestDirectory { get; set; } = "models";

    /// <summary>Model used when a request names none.</summary>
    public string Default { get; set; } = "mobilenet_v2_1.0_224";
}

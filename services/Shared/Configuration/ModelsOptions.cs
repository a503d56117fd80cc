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

    /// <summary>
    /// An absolute path for a configured folder: a relative one is taken from the working directory
    /// when it exists there, else from the application's folder (where the build copies the manifests).
    /// </summary>
    public static string ResolveFolder(string folder)
    {
        if (Path.IsPathRooted(folder))
        {
            return folder;
        }

        var fromWorkingDirectory = Path.GetFullPath(folder);
        var fromApplication = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, folder));
        return System.IO.Directory.Exists(fromWorkingDirectory) || !System.IO.Directory.Exists(fromApplication)
            ? fromWorkingDirectory
            : fromApplication;
    }
}

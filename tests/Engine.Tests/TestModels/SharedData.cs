namespace SaliencySlider.Engine.Tests.TestModels;

/// <summary>Finds the read-only shared data (models, test images) beside the repository.</summary>
internal static class SharedData
{
    public static string ModelsDirectory { get; } = LocateModels();

    public static string MobileNetPath => Path.Combine(ModelsDirectory, "mobilenet_v2_1.0_224.onnx");

    private static string LocateModels()
    {
        var fromEnvironment = Environment.GetEnvironmentVariable("SALIENCY_MODELS_DIR");
        if (!string.IsNullOrEmpty(fromEnvironment))
        {
            return fromEnvironment;
        }

        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "models");
            if (Directory.Exists(candidate))
            {
                return candidate;
            }

            if (File.Exists(Path.Combine(dir.FullName, "SaliencySlider.slnx")) && dir.Parent is { } parent)
            {
                var beside = Path.Combine(parent.FullName, "shared", "models");
                if (Directory.Exists(beside))
                {
                    return beside;
                }
            }
        }

        throw new DirectoryNotFoundException(
            $"No shared/models folder above {AppContext.BaseDirectory} or beside the repository; set SALIENCY_MODELS_DIR.");
    }
}

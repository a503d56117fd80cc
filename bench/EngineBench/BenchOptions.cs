using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.EngineBench;

internal sealed record BenchOptions
{
    public string ModelsDirectory { get; init; } = Path.Combine("..", "shared", "models");
    public string ManifestDirectory { get; init; } = "models";
    public string Image { get; init; } = Path.Combine("..", "shared", "testdata", "images", "chelsea.png");
    public string? TorchDirectory { get; init; }
    public string? Document { get; init; }

    /// <summary>With both set, each PyTorch model is timed again right before the engine runs it.</summary>
    public string? Python { get; init; }
    public string? TorchScript { get; init; }
    public string? JsonOutput { get; init; }
    public string Command { get; init; } = "";
    public int Threads { get; init; } = 2;
    public int Frames { get; init; } = ExplainLimits.DefaultFrameCount;
    public int Repeats { get; init; } = 9;
    public int Warmup { get; init; } = 2;

    /// <summary>Only the default model's stage timings (for profiling changes quickly); no report is written.</summary>
    public bool Quick { get; init; }

    /// <summary>
    /// The whole report from few runs (the test suite's check that the bench still runs to the end): 2 timed runs
    /// after 1 warm-up, and no second pass of the default model at one intra-op thread.
    /// </summary>
    public bool Short { get; init; }

    /// <summary>Runs of the CPU-side stages, of which the fastest is reported.</summary>
    public int StageRuns => Short ? 3 : 15;

    /// <summary>The checkout measured (its commit is named in the report).</summary>
    public string Repository { get; init; } = Directory.GetCurrentDirectory();

    /// <summary>Only the Score-CAM section (Grad-CAM and Score-CAM jobs on the default model), written to the document's bench:scorecam block.</summary>
    public bool ScoreCamOnly { get; init; }

    /// <summary>Only the GPU bench (<see cref="GpuBench"/>), on <see cref="GpuProvider"/>, each jobs setting for <see cref="GpuSeconds"/>.</summary>
    public bool Gpu { get; init; }

    /// <summary>With <see cref="Gpu"/>: only the jobs table of <see cref="GpuBench"/>'s profile settings.</summary>
    public bool GpuProfile { get; init; }

    public ExecutionProviderPreference GpuProvider { get; init; } = ExecutionProviderPreference.Cuda;

    public double GpuSeconds { get; init; } = 4;

    /// <summary>Fewer repeats for the heavy VGG and ViT-B models so the whole bench stays within minutes.</summary>
    public int RepeatsFor(string model) => model.StartsWith("vgg", StringComparison.Ordinal) || model.StartsWith("vit", StringComparison.Ordinal)
        ? Math.Max(3, Repeats / 3)
        : Repeats;

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--quick")
            {
                options = options with { Quick = true };
                continue;
            }
            if (args[i] == "--short")
            {
                options = options with { Short = true, Repeats = 2, Warmup = 1 };
                continue;
            }
            if (args[i] == "--gpu")
            {
                options = options with { Gpu = true };
                continue;
            }
            if (args[i] == "--gpu-profile")
            {
                options = options with { Gpu = true, GpuProfile = true };
                continue;
            }
            if (args[i] == "--scorecam-only")
            {
                options = options with { ScoreCamOnly = true };
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--models-dir" => options with { ModelsDirectory = value },
                "--manifests" => options with { ManifestDirectory = value },
                "--image" => options with { Image = value },
                "--torch" => options with { TorchDirectory = value },
                "--doc" => options with { Document = value },
                "--python" => options with { Python = value },
                "--torch-script" => options with { TorchScript = value },
                "--json" => options with { JsonOutput = value },
                "--command" => options with { Command = value },
                "--repo" => options with { Repository = value },
                "--gpu-provider" => options with { GpuProvider = Enum.Parse<ExecutionProviderPreference>(value, ignoreCase: true) },
                "--gpu-seconds" => options with { GpuSeconds = double.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "--threads" => options with { Threads = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "--frames" => options with { Frames = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "--repeats" => options with { Repeats = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                "--warmup" => options with { Warmup = int.Parse(value, System.Globalization.CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }
        return options;
    }
}

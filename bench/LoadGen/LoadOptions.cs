using System.Globalization;

namespace SaliencySlider.LoadGen;

internal sealed record LoadOptions
{
    public string RepoRoot { get; init; } = Directory.GetCurrentDirectory();
    public string ModelsDirectory { get; init; } = Path.GetFullPath(Path.Combine("..", "shared", "models"));
    public string ImagesDirectory { get; init; } = Path.GetFullPath(Path.Combine("..", "shared", "testdata", "images"));
    public string WorkDirectory { get; init; } = Path.GetFullPath(Path.Combine(".run", "bench", "service"));
    public string? Document { get; init; }

    /// <summary>Where the Redis profile goes (docs/SCALING.md); none: printed only.</summary>
    public string? ScalingDocument { get; init; }
    public string Command { get; init; } = "";

    /// <summary>Distinct jobs per worker-count phase.</summary>
    public int Jobs { get; init; } = 24;

    /// <summary>Concurrent submitting clients.</summary>
    public int Clients { get; init; } = 8;

    public int CacheHits { get; init; } = 40;
    public int Streamers { get; init; } = 200;

    /// <summary>Worker processes started from nothing to time start → ready → first job of each served model.</summary>
    public int ColdStarts { get; init; } = 3;

    /// <summary>Only the cold starts (and only the cold-start block is written): a quick re-measurement of start-up.</summary>
    public bool ColdStartOnly { get; init; }

    /// <summary>Only the side-by-side of the service against the engine in-process, printed (no document is written): for profiling.</summary>
    public bool OverheadOnly { get; init; }

    /// <summary>
    /// Jobs each side runs before it is timed (each warm-up, and the engine in-process before the side-by-side): enough
    /// for .NET's tiered JIT to recompile the per-job paths, which it optimises after 30 calls.
    /// </summary>
    public int WarmUpJobs { get; init; } = 32;

    /// <summary>
    /// Alternating pairs of the side-by-side (a job in-process, then the same photo through the service). Its ratio is
    /// of two medians on a shared machine where single jobs vary by 1.5× and more: one run of 12 pairs gave 1.34× where
    /// runs of 24–48 pairs of the same code gave 1.02–1.28×.
    /// </summary>
    public int SideBySidePairs { get; init; } = 40;

    /// <summary>Every phase with a few jobs (the test suite's check that the load generator runs to the end).</summary>
    public bool Short { get; init; }

    public static LoadOptions Parse(string[] args)
    {
        var options = new LoadOptions();
        for (var i = 0; i < args.Length; i++)
        {
            if (args[i] == "--short")
            {
                options = options with { Short = true, WarmUpJobs = 2, Jobs = 4, Clients = 2, CacheHits = 3, Streamers = 8, ColdStarts = 1, SideBySidePairs = 4 };
                continue;
            }
            if (args[i] == "--overhead-only")
            {
                options = options with { OverheadOnly = true, ColdStarts = 0 };
                continue;
            }
            if (args[i] == "--cold-start-only")
            {
                options = options with { ColdStartOnly = true };
                continue;
            }
            var value = i + 1 < args.Length ? args[i + 1] : throw new ArgumentException($"{args[i]} needs a value");
            options = args[i] switch
            {
                "--repo" => options with { RepoRoot = Path.GetFullPath(value) },
                "--models-dir" => options with { ModelsDirectory = Path.GetFullPath(value) },
                "--images" => options with { ImagesDirectory = Path.GetFullPath(value) },
                "--work" => options with { WorkDirectory = Path.GetFullPath(value) },
                "--doc" => options with { Document = value },
                "--scaling-doc" => options with { ScalingDocument = value },
                "--cold-starts" => options with { ColdStarts = int.Parse(value, CultureInfo.InvariantCulture) },
                "--command" => options with { Command = value },
                "--pairs" => options with { SideBySidePairs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--jobs" => options with { Jobs = int.Parse(value, CultureInfo.InvariantCulture) },
                "--clients" => options with { Clients = int.Parse(value, CultureInfo.InvariantCulture) },
                "--cache-hits" => options with { CacheHits = int.Parse(value, CultureInfo.InvariantCulture) },
                "--streamers" => options with { Streamers = int.Parse(value, CultureInfo.InvariantCulture) },
                _ => throw new ArgumentException($"unknown option {args[i]}"),
            };
            i++;
        }
        return options;
    }
}

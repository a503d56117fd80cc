using System.Text.RegularExpressions;
using SaliencySlider.Deploy.Tests.Support;
using Xunit.Abstractions;

namespace SaliencySlider.Deploy.Tests;

/// <summary>
/// scripts/bench in its short mode, against the real processes (Debian's PyTorch, the engine, redis-server, the
/// gateway and workers): it runs to the end with zero errors and writes every generated block, naming its commit,
/// into copies of the docs; docs/ itself is never rewritten.
/// </summary>
public sealed partial class BenchScriptTests(ITestOutputHelper output) : IDisposable
{
    private readonly string _scratch = Directory.CreateTempSubdirectory("bench-short-").FullName;

    public void Dispose() => Directory.Delete(_scratch, recursive: true);

    [Fact]
    public void The_short_bench_runs_to_the_end_and_writes_every_block_with_its_commit()
    {
        var performance = Path.Combine(_scratch, "PERFORMANCE.md");
        var scaling = Path.Combine(_scratch, "SCALING.md");
        File.Copy(RepositoryPaths.Combine("docs/PERFORMANCE.md"), performance);
        File.Copy(RepositoryPaths.Combine("docs/SCALING.md"), scaling);
        var docsBefore = DocsText();

        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = ExternalCommand.Run(RepositoryPaths.Combine("scripts/bench"), ["--short"], environment: new Dictionary<string, string?>
        {
            // scripts/test built the solution; the bench projects are part of it.
            ["BENCH_BUILD"] = "0",
            ["BENCH_OUT"] = Path.Combine(_scratch, "out"),
            ["BENCH_DOC"] = performance,
            ["BENCH_SCALING_DOC"] = scaling,
        }, timeout: TimeSpan.FromMinutes(8));
        output.WriteLine($"scripts/bench --short: {clock.Elapsed.TotalSeconds:F0} s");
        output.WriteLine(run.StandardOutput);

        Assert.True(run.ExitCode == 0, run.Describe());
        var performanceText = File.ReadAllText(performance);
        foreach (var block in new[] { "engine", "service", "coldstart" })
        {
            AssertGenerated(performanceText, block);
        }
        AssertGenerated(File.ReadAllText(scaling), "redis");
        Assert.Contains("engine ÷ PyTorch (Grad-CAM, frozen)", Block(performanceText, "engine"), StringComparison.Ordinal);
        Assert.Contains("Every phase finished with 0 errors", Block(performanceText, "service"), StringComparison.Ordinal);
        Assert.Contains("RateLimit:SubmitsPerMinute = 0", Block(performanceText, "service"), StringComparison.Ordinal);
        Assert.Contains("**Service against the engine in-process**", Block(performanceText, "service"), StringComparison.Ordinal);
        Assert.Contains("| steady 80 % load", Block(performanceText, "service"), StringComparison.Ordinal);
        Assert.Contains("Process start → ready", Block(performanceText, "coldstart"), StringComparison.Ordinal);
        Assert.Contains("| new job", Block(File.ReadAllText(scaling), "redis"), StringComparison.Ordinal);
        Assert.Contains("| 8 at once, 11 frames |", File.ReadAllText(Path.Combine(_scratch, "out", "short", "gpu-profile.md")), StringComparison.Ordinal);
        Assert.Equal(docsBefore, DocsText());
    }

    /// <summary>
    /// The full mode's own steps (not the short mode's) up to the measurements, which are switched off here: the
    /// full run once stopped at its first line because a `[ … ] &amp;&amp; echo` in a command substitution failed under
    /// `set -e`, and only the short mode was tested.
    /// </summary>
    [Fact]
    public void The_full_bench_gets_through_its_setup_and_with_nothing_to_measure_writes_nothing()
    {
        var performance = Path.Combine(_scratch, "PERFORMANCE.md");
        File.Copy(RepositoryPaths.Combine("docs/PERFORMANCE.md"), performance);
        var before = File.ReadAllText(performance);

        var run = ExternalCommand.Run(RepositoryPaths.Combine("scripts/bench"), [], environment: new Dictionary<string, string?>
        {
            ["BENCH_ENGINE"] = "0",
            ["BENCH_SERVICE"] = "0",
            ["BENCH_BUILD"] = "0",
            ["BENCH_OUT"] = Path.Combine(_scratch, "out"),
            ["BENCH_DOC"] = performance,
            ["BENCH_SCALING_DOC"] = Path.Combine(_scratch, "SCALING.md"),
        }, timeout: TimeSpan.FromMinutes(2));

        Assert.True(run.ExitCode == 0, run.Describe());
        Assert.Contains("BENCH_ENGINE=0: no PyTorch baseline and no engine benchmark", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
        Assert.Contains("results in", run.StandardOutput + run.StandardError, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllText(performance));
    }

    [Fact]
    public void A_service_process_that_dies_fails_the_load_generator_and_no_figures_are_written()
    {
        var performance = Path.Combine(_scratch, "PERFORMANCE.md");
        File.Copy(RepositoryPaths.Combine("docs/PERFORMANCE.md"), performance);
        var before = File.ReadAllText(performance);
        // No model to serve: the services refuse to start, as a worker that cannot load its models does.
        var noModels = Directory.CreateDirectory(Path.Combine(_scratch, "no-models")).FullName;

        var run = ExternalCommand.Run("dotnet",
        [
            RepositoryPaths.Combine("bench/LoadGen/bin/Release/net10.0/SaliencySlider.LoadGen.dll"), "--short",
            "--repo", RepositoryPaths.Root, "--models-dir", noModels, "--work", Path.Combine(_scratch, "service"),
            "--doc", performance, "--command", "test",
        ]);

        Assert.True(run.ExitCode == 1, run.Describe());
        Assert.Contains("load generator FAILED, no figures written", run.StandardError, StringComparison.Ordinal);
        Assert.Matches(@"(gateway|worker\d+) exited with", run.StandardError);
        Assert.Equal(before, File.ReadAllText(performance));
    }

    [Fact]
    public void The_cold_start_only_mode_writes_the_cold_start_block_with_the_workers_own_account_and_nothing_else()
    {
        var performance = Path.Combine(_scratch, "PERFORMANCE.md");
        File.Copy(RepositoryPaths.Combine("docs/PERFORMANCE.md"), performance);
        var before = File.ReadAllText(performance);
        var models = Environment.GetEnvironmentVariable("SALIENCY_MODELS_DIR") is { Length: > 0 } served ? served : RepositoryPaths.Combine(".data/models");

        var run = ExternalCommand.Run("dotnet",
        [
            RepositoryPaths.Combine("bench/LoadGen/bin/Release/net10.0/SaliencySlider.LoadGen.dll"), "--cold-start-only", "--cold-starts", "1",
            "--repo", RepositoryPaths.Root, "--models-dir", models, "--work", Path.Combine(_scratch, "service"),
            "--doc", performance, "--command", "cold start only",
        ], timeout: TimeSpan.FromMinutes(4));

        Assert.True(run.ExitCode == 0, run.Describe());
        var after = File.ReadAllText(performance);
        var coldStart = Block(after, "coldstart");
        Assert.Contains("by `cold start only` at commit", coldStart, StringComparison.Ordinal);
        Assert.Contains("Process start → ready", coldStart, StringComparison.Ordinal);
        Assert.Matches(@"- ready \d+ ms: runtime \d+ ms, host \d+ ms, redis \d+ ms, models \d+ ms, layer shapes \d+ ms, services \d+ ms", coldStart);
        Assert.Equal(Block(before, "service"), Block(after, "service"));
        Assert.Equal(before[..before.IndexOf("<!-- bench:coldstart:begin -->", StringComparison.Ordinal)],
            after[..after.IndexOf("<!-- bench:coldstart:begin -->", StringComparison.Ordinal)]);
    }

    private static void AssertGenerated(string document, string block)
    {
        var text = Block(document, block);
        Assert.Matches(GeneratedLine(), text);
        Assert.Contains("**Short mode**", text, StringComparison.Ordinal);
    }

    private static string Block(string document, string name)
    {
        var begin = document.IndexOf($"<!-- bench:{name}:begin -->", StringComparison.Ordinal);
        var end = document.IndexOf($"<!-- bench:{name}:end -->", StringComparison.Ordinal);
        Assert.True(begin >= 0 && end > begin, $"no bench:{name} block");
        return document[begin..end];
    }

    private static string DocsText() => File.ReadAllText(RepositoryPaths.Combine("docs/PERFORMANCE.md")) + File.ReadAllText(RepositoryPaths.Combine("docs/SCALING.md"));

    [GeneratedRegex(@"_Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC by `scripts/bench --short [^`]*` at commit [0-9a-f]{7,}(\+dirty)?\._")]
    private static partial Regex GeneratedLine();
}

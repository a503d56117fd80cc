using System.CommandLine;
using System.Text.RegularExpressions;

namespace SaliencySlider.Cli;

/// <summary>The `saliency` command line. Callable in-process (tests) with its own output writers.</summary>
public static class CliApp
{
    public const int ExitOk = 0;
    public const int ExitFailure = 1;
    public const int ExitUsage = 2;

    /// <summary>The server could not be reached or did not answer in time (gRPC UNAVAILABLE or DEADLINE_EXCEEDED): worth retrying.</summary>
    public const int ExitUnavailable = 3;

    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr, CancellationToken ct = default)
    {
        var root = new RootCommand("Saliency Slider: explains an image classifier's prediction with CAM methods and a saliency slider.")
        {
            ExplainCommand.Create(stdout, stderr),
            Comparing.CompareCommand.Create(stdout, stderr),
            Comparing.EvaluateCommand.Create(stdout, stderr),
            Remote.ServerCommands.Models(stdout, stderr),
            Remote.ServerCommands.Job(stdout, stderr),
            GradientGraphCommand.Create(stdout, stderr),
            ImportTfliteCommand.Create(stdout, stderr),
            FingerprintCommand.Create(stdout, stderr),
            QueueStreamsCommand.Create(stdout, stderr),
        };
        var parseResult = root.Parse(args);
        if (parseResult.Errors.Count > 0)
        {
            var reason = Regex.Replace(parseResult.Errors[0].Message, @"\s+", " ").Trim();
            await stderr.WriteLineAsync($"error: {reason} (see saliency --help)");
            return ExitUsage;
        }
        // Always set, so a parse failure is never confused with a gRPC status.
        var configuration = new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false };
        return await parseResult.InvokeAsync(configuration, ct);
    }
}

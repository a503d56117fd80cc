using System.Diagnostics;
using System.Text.RegularExpressions;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Rest;

/// <summary>
/// Runs the examples of docs/API.md's "REST/JSON with curl" section with real curl against the live gateway and a
/// worker: its `sh` blocks in order in one bash, each one's output compared with the `text` block right after it
/// (`…` stands for any text within a line).
/// </summary>
public sealed partial class CurlExampleTests(WorkerStack fixture) : IClassFixture<WorkerStack>, IDisposable
{
    private const string Section = "## REST/JSON with curl";
    private const string Marker = "@@ end of example ";
    private readonly string _work = Directory.CreateTempSubdirectory("saliency-curl-").FullName;

    [Fact]
    public async Task The_curl_examples_print_what_the_API_reference_shows()
    {
        var examples = Examples(await File.ReadAllTextAsync(Path.Combine(RepositoryPaths.Root, "docs", "API.md")));
        Assert.True(examples.Count >= 6, $"expected the curl examples in docs/API.md's '{Section}', found {examples.Count}");
        var script = "set -euo pipefail\n" + string.Concat(examples.Select((example, i) => $"{example.Commands}\necho '{Marker}{i}'\n"));

        var (exitCode, stdout, stderr) = await BashAsync(script);

        Assert.True(exitCode == 0, $"the examples failed with exit code {exitCode} (scripts/test installs curl and jq):\n{stderr}\n{stdout}");
        var outputs = stdout.Split('\n').Aggregate(new List<List<string>> { new() }, (blocks, line) =>
        {
            // An example whose output does not end with a newline leaves the marker on its last line.
            var marker = line.IndexOf(Marker, StringComparison.Ordinal);
            if (marker > 0)
            {
                blocks[^1].Add(line[..marker]);
            }

            if (marker >= 0)
            {
                blocks.Add([]);
            }
            else
            {
                blocks[^1].Add(line);
            }

            return blocks;
        });
        for (var i = 0; i < examples.Count; i++)
        {
            var expected = examples[i].Output;
            var actual = outputs[i];
            Assert.True(expected.Count == actual.Count && expected.Zip(actual).All(pair => Matches(pair.First, pair.Second)),
                $"example {i}:\n{examples[i].Commands}\nprinted:\n{string.Join('\n', actual)}\ndocs/API.md shows:\n{string.Join('\n', expected)}");
        }
    }

    /// <summary>The section's `sh` blocks, each with the `text` block that follows it (blocks of other kinds or alone are left out).</summary>
    private static List<(string Commands, List<string> Output)> Examples(string markdown)
    {
        var start = markdown.IndexOf(Section + "\n", StringComparison.Ordinal);
        Assert.True(start >= 0, $"docs/API.md has no '{Section}' section");
        var end = markdown.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        var blocks = FencedBlock().Matches(markdown[start..(end < 0 ? markdown.Length : end)])
            .Select(m => (Kind: m.Groups["kind"].Value, Body: m.Groups["body"].Value)).ToList();
        return blocks.Zip(blocks.Skip(1))
            .Where(pair => pair.First.Kind == "sh" && pair.Second.Kind == "text")
            .Select(pair => (pair.First.Body, pair.Second.Body.TrimEnd('\n').Split('\n').ToList()))
            .ToList();
    }

    private static bool Matches(string expected, string actual)
        => Regex.IsMatch(actual, "^" + string.Join(".*", expected.Split('…').Select(Regex.Escape)) + "$", RegexOptions.None, TimeSpan.FromSeconds(1));

    private async Task<(int ExitCode, string Stdout, string Stderr)> BashAsync(string script)
    {
        var start = new ProcessStartInfo("bash") { RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true, WorkingDirectory = _work };
        start.Environment["GATEWAY"] = $"http://127.0.0.1:{fixture.Stack.HttpPort}";
        start.Environment["IMAGE"] = Path.Combine(RepoPaths.TestImages, "chelsea.png");
        start.Environment["LC_ALL"] = "C";
        using var process = Process.Start(start)!;
        await process.StandardInput.WriteAsync(script);
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(ServiceStack.CallTimeout);
        return (process.ExitCode, await stdout, await stderr);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [GeneratedRegex(@"^```(?<kind>\w+)\n(?<body>.*?)^```$", RegexOptions.Multiline | RegexOptions.Singleline)]
    private static partial Regex FencedBlock();
}

using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using SaliencySlider.Cli;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>The CLI's remote mode against the live gateway and worker (the Python client: Clients/PythonPackageTests).</summary>
public sealed class ClientTests(WorkerStack fixture) : IClassFixture<WorkerStack>, IDisposable
{
    private readonly ServiceStack _stack = fixture.Stack;
    private readonly string _work = Directory.CreateTempSubdirectory("saliency-clients-").FullName;

    private string Server => $"127.0.0.1:{_stack.GrpcPort}";

    [Fact]
    public async Task The_CLI_explains_remotely_with_progress_and_writes_the_local_modes_files_then_shows_the_job_and_models()
    {
        var output = Path.Combine(_work, "cli-out");
        var image = Path.Combine(_work, "cli-cat.png");
        await File.WriteAllBytesAsync(image, TestImages.Cropped("chelsea.png", 32));

        var (exit, stdout, stderr) = await CliAsync("explain", image, "--server", Server, "--frames", "5", "--max-side", "96", "--out", output);

        Assert.True(exit == CliApp.ExitOk, stderr);
        Assert.Matches(@"(queued \(position \d+\)|running \(attempt 1\))", stderr);
        Assert.Contains("frames 5/5", stderr, StringComparison.Ordinal);
        foreach (var file in new[] { "result.json", "cam.npy", "heatmap.png", "overlay.png" })
        {
            Assert.True(File.Exists(Path.Combine(output, file)), $"{file} missing");
        }

        Assert.Equal(5, Directory.GetFiles(Path.Combine(output, "frames")).Length);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "result.json")));
        var jobId = result.RootElement.GetProperty("jobId").GetString()!;
        Assert.True(EventAssertions.IsCatClass(result.RootElement.GetProperty("topK")[0].GetProperty("index").GetInt32()));
        Assert.Equal(5, result.RootElement.GetProperty("insertionCurve").GetArrayLength());
        Assert.Contains("top-1", stdout, StringComparison.Ordinal);

        var job = await CliAsync("job", jobId, "--server", Server);
        Assert.True(job.Exit == CliApp.ExitOk, job.Stderr);
        Assert.Contains("state     DONE", job.Stdout, StringComparison.Ordinal);
        Assert.Contains("frames    5/5", job.Stdout, StringComparison.Ordinal);
        Assert.Matches(@"timings ms: queue [\d.]+, decode", job.Stdout);

        var models = await CliAsync("models", "--server", Server);
        Assert.True(models.Exit == CliApp.ExitOk, models.Stderr);
        Assert.Contains("mobilenet_v2_1.0_224 (default)", models.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CLI_compares_remotely_with_progress_and_writes_compare_json_and_a_heatmap_per_method()
    {
        var output = Path.Combine(_work, "compare-out");
        var image = Path.Combine(_work, "compare-cat.png");
        await File.WriteAllBytesAsync(image, TestImages.Cropped("chelsea.png", 33));

        var (exit, stdout, stderr) = await CliAsync("compare", image, "--server", Server, "--frames", "3", "--max-side", "48", "--out", output);

        Assert.True(exit == CliApp.ExitOk, stderr);
        using var result = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(output, "compare.json")));
        var methods = result.RootElement.GetProperty("methods").EnumerateArray().ToList();
        Assert.Contains($"methods {methods.Count}/{methods.Count}", stderr, StringComparison.Ordinal);
        Assert.Equal(Enum.GetValues<Contracts.V1.CamMethod>().Length - 1, methods.Count);
        Assert.Matches("^[0-9a-f]{64}$", result.RootElement.GetProperty("jobId").GetString());
        foreach (var method in methods)
        {
            var name = method.GetProperty("method").GetString()!;
            Assert.InRange(method.GetProperty("insertionAuc").GetDouble(), 0, 1);
            Assert.InRange(method.GetProperty("deletionAuc").GetDouble(), 0, 1);
            Assert.InRange(method.GetProperty("sufficiency").GetDouble(), 0, 1);
            Assert.True(File.Exists(Path.Combine(output, "heatmaps", name + ".png")), $"{name}'s heatmap missing");
            Assert.Contains(name, stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task The_CLI_shows_Score_CAMs_scoring_progress()
    {
        var image = Path.Combine(_work, "scorecam-cat.png");
        await File.WriteAllBytesAsync(image, TestImages.Cropped("chelsea.png", 33));

        var (exit, stdout, stderr) = await CliAsync("explain", image, "--server", Server, "--method", "scorecam", "--score-channels", "16",
            "--frames", "3", "--max-side", "96", "--out", Path.Combine(_work, "scorecam-out"));

        Assert.True(exit == CliApp.ExitOk, stderr);
        Assert.Contains("scoring channels 0/16", stderr, StringComparison.Ordinal);
        Assert.Contains("scoring channels 16/16", stderr, StringComparison.Ordinal);
        Assert.Contains("frames 3/3", stderr, StringComparison.Ordinal);
        Assert.Contains("scorecam", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_CLI_exits_1_with_the_servers_message_for_a_refused_request_and_3_when_the_server_is_unreachable()
    {
        var notAnImage = Path.Combine(_work, "notes.png");
        await File.WriteAllTextAsync(notAnImage, "this is not an image");

        var refused = await CliAsync("explain", notAnImage, "--server", Server, "--out", Path.Combine(_work, "refused"));
        var unknownJob = await CliAsync("job", new string('0', 64), "--server", Server);
        var unreachable = await CliAsync("models", "--server", $"127.0.0.1:{ClosedPort()}");

        Assert.Equal(CliApp.ExitFailure, refused.Exit);
        Assert.StartsWith("error: INVALID_ARGUMENT: ", refused.Stderr.Split('\n').Last(l => l.Length > 0), StringComparison.Ordinal);
        Assert.Equal(CliApp.ExitFailure, unknownJob.Exit);
        Assert.Contains("error: NOT_FOUND: ", unknownJob.Stderr, StringComparison.Ordinal);
        Assert.Equal(CliApp.ExitUnavailable, unreachable.Exit);
        Assert.Contains("error: UNAVAILABLE: ", unreachable.Stderr, StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    private static async Task<(int Exit, string Stdout, string Stderr)> CliAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exit = await CliApp.RunAsync(args, stdout, stderr);
        return (exit, stdout.ToString(), stderr.ToString());
    }

    private static int ClosedPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

using System.Diagnostics;
using System.Text.Json;

namespace SaliencySlider.Engine.Tests.Parity;

/// <summary>
/// The torchvision models and their PyTorch Grad-CAMs written by bench/baseline/parity_families.py (Debian's python3
/// with python3-torch, python3-torchvision and python3-onnx, which scripts/test installs). The script caches its
/// output under .run/parity by a hash of itself, so only the first run after a change exports the models. Without
/// python or torch the constructor throws, which fails every parity test rather than skipping it.
/// </summary>
public sealed class TorchParityCases
{
    /// <summary>Debian's python3 (the PATH one may lack Debian's modules); SALIENCY_PARITY_PYTHON overrides it.</summary>
    private static readonly string Python = Environment.GetEnvironmentVariable("SALIENCY_PARITY_PYTHON") is { Length: > 0 } python
        ? python
        : "/usr/bin/python3";
    private static readonly TimeSpan GeneratorTimeout = TimeSpan.FromMinutes(20);

    public TorchParityCases()
    {
        var root = RepositoryRoot();
        var script = Path.Combine(root, "bench", "baseline", "parity_families.py");
        var start = new ProcessStartInfo(Python, ["-W", "ignore", script, "--out", Path.Combine(root, ".run", "parity")])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = StartPython(start);
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(GeneratorTimeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{script} ran longer than {GeneratorTimeout}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{script} exited with {process.ExitCode} (scripts/test installs python3-torch, python3-torchvision and python3-onnx):\n{Tail(stderr.Result)}");
        }
        Directory = stdout.Result.Trim().Split('\n')[^1].Trim();
        if (!File.Exists(Path.Combine(Directory, "index.json")))
        {
            throw new InvalidOperationException($"{script} printed {Directory}, which has no index.json:\n{Tail(stdout.Result)}");
        }
    }

    /// <summary>The folder of the cases, one subfolder per case.</summary>
    public string Directory { get; }

    public ParityCase Load(string name)
    {
        var folder = Path.Combine(Directory, name);
        var meta = JsonSerializer.Deserialize<ParityCase>(File.ReadAllText(Path.Combine(folder, "meta.json")), JsonOptions)
            ?? throw new InvalidDataException($"{folder}/meta.json is empty");
        return meta with { Folder = folder };
    }

    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static Process StartPython(ProcessStartInfo start)
    {
        try
        {
            return Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            throw new InvalidOperationException($"cannot run {Python} ({e.Message}); scripts/test installs Debian's python3 with torch", e);
        }
    }

    private static string Tail(string text) => text.Length <= 4000 ? text : text[^4000..];

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "SaliencySlider.slnx")))
            {
                return dir.FullName;
            }
        }
        throw new DirectoryNotFoundException($"no SaliencySlider.slnx above {AppContext.BaseDirectory}");
    }
}

/// <summary>One exported model with PyTorch's results (meta.json of a case folder).</summary>
public sealed record ParityCase
{
    public string Folder { get; init; } = "";
    public required string Case { get; init; }
    public required string Family { get; init; }
    public required int Opset { get; init; }

    /// <summary>The hooked torchvision module and the graph tensor that is its output.</summary>
    public required string Module { get; init; }
    public required string Target { get; init; }

    /// <summary>nchw, tokens ([N, 1+g², C], class token first) or nhwc.</summary>
    public required string Layout { get; init; }

    /// <summary>[H, W] of the model input and of PyTorch's CAM.</summary>
    public required int[] Input { get; init; }
    public required int[] Cam { get; init; }
    public required int Top1 { get; init; }
    public required double Top1Margin { get; init; }

    /// <summary>A bare .onnx, loaded without a manifest (input size and layer from the graph and the settings).</summary>
    public required bool Bare { get; init; }

    public string ModelFile => Path.Combine(Folder, Bare ? "model.onnx" : "model.json");

    public float[] Floats(string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(Folder, file));
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * sizeof(float));
        return values;
    }
}

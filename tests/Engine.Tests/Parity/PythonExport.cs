using System.Diagnostics;
using System.Text.Json;

namespace SaliencySlider.Engine.Tests.Parity;

/// <summary>
/// Runs a bench/baseline export script with Debian's python3 (python3-torch, python3-torchvision and python3-onnx, which
/// scripts/test installs). The scripts cache their output by a hash of their inputs, so only the first run after a
/// change exports anything; the last line they print is the folder of the cases. Without python or torch this throws,
/// which fails every test of the fixture rather than skipping it.
/// </summary>
internal static class PythonExport
{
    /// <summary>Debian's python3 (the PATH one may lack Debian's modules); SALIENCY_PARITY_PYTHON overrides it.</summary>
    private static readonly string Python = Environment.GetEnvironmentVariable("SALIENCY_PARITY_PYTHON") is { Length: > 0 } python
        ? python
        : "/usr/bin/python3";
    private static readonly TimeSpan GeneratorTimeout = TimeSpan.FromMinutes(20);
    private static readonly JsonSerializerOptions JsonOptions = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>Runs bench/baseline/<paramref name="script"/> --out <paramref name="output"/> with <paramref name="arguments"/>; returns the folder of the cases.</summary>
    public static string Run(string script, string output, params string[] arguments)
    {
        var path = RepositoryPaths.Combine("bench/baseline/" + script);
        var start = new ProcessStartInfo(Python, ["-W", "ignore", path, "--out", output, .. arguments])
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
            throw new TimeoutException($"{path} ran longer than {GeneratorTimeout}");
        }
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"{path} exited with {process.ExitCode} (scripts/test installs python3-torch, python3-torchvision and python3-onnx):\n{Tail(stderr.Result)}");
        }
        var directory = stdout.Result.Trim().Split('\n')[^1].Trim();
        if (!File.Exists(Path.Combine(directory, "index.json")))
        {
            throw new InvalidOperationException($"{path} printed {directory}, which has no index.json:\n{Tail(stdout.Result)}");
        }
        return directory;
    }

    /// <summary>meta.json of case <paramref name="name"/> in <paramref name="directory"/>.</summary>
    public static T LoadMeta<T>(string directory, string name)
    {
        var file = Path.Combine(directory, name, "meta.json");
        return JsonSerializer.Deserialize<T>(File.ReadAllText(file), JsonOptions) ?? throw new InvalidDataException($"{file} is empty");
    }

    /// <summary>A float32 little-endian file of case folder <paramref name="folder"/>.</summary>
    public static float[] Floats(string folder, string file)
    {
        var bytes = File.ReadAllBytes(Path.Combine(folder, file));
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, values.Length * sizeof(float));
        return values;
    }

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
}

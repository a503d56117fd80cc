using System.Text.Json;
using System.Text.Json.Serialization;

namespace SaliencySlider.EngineBench;

/// <summary>What bench/baseline/torch_gradcam.py wrote: the exported models, their target layers, timings and CAMs.</summary>
internal sealed record TorchBaseline(
    [property: JsonPropertyName("torch")] string TorchVersion,
    [property: JsonPropertyName("threads")] int Threads,
    [property: JsonPropertyName("frames")] int Frames,
    [property: JsonPropertyName("models")] Dictionary<string, TorchModelResult> Models)
{
    public string Directory { get; private init; } = "";

    public static TorchBaseline? Load(string? directory)
    {
        if (directory is null)
        {
            return null;
        }
        var path = Path.Combine(directory, "torch_results.json");
        if (!File.Exists(path))
        {
            return null;
        }
        var baseline = JsonSerializer.Deserialize<TorchBaseline>(File.ReadAllText(path))
            ?? throw new InvalidDataException($"{path} is empty");
        return baseline with { Directory = Path.GetFullPath(directory) };
    }

    /// <summary>
    /// Times one model again with PyTorch right now (a child process), so that the engine and PyTorch are measured
    /// minutes apart at most on a machine whose load changes; the exported ONNX and the CAM stay as they were.
    /// </summary>
    public void Retime(string model, string python, string script, BenchOptions options)
    {
        var info = new System.Diagnostics.ProcessStartInfo(python,
        [
            script, "--out", Directory, "--models", model, "--only-timings",
            "--threads", options.Threads.ToString(System.Globalization.CultureInfo.InvariantCulture),
            "--repeats", options.RepeatsFor(model).ToString(System.Globalization.CultureInfo.InvariantCulture),
        ]);
        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"cannot start {python}");
        process.WaitForExit();
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($"{script} --models {model} exited with {process.ExitCode}");
        }
        var path = Path.Combine(Directory, $"{model}.results.json");
        Models[model] = JsonSerializer.Deserialize<TorchModelResult>(File.ReadAllText(path)) ?? throw new InvalidDataException($"{path} is empty");
    }

    public float[] ProbeInput() => ReadFloats(Path.Combine(Directory, "probe_input.f32"));

    public float[] Cam(string model) => ReadFloats(Path.Combine(Directory, $"{model}.cam.f32"));

    private static float[] ReadFloats(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var values = new float[bytes.Length / sizeof(float)];
        Buffer.BlockCopy(bytes, 0, values, 0, bytes.Length);
        return values;
    }
}

internal sealed record TorchModelResult(
    [property: JsonPropertyName("onnx")] string Onnx,
    [property: JsonPropertyName("target_layer")] string TargetLayer,
    [property: JsonPropertyName("cam_shape")] int[] CamShape,
    [property: JsonPropertyName("top1")] int Top1,
    [property: JsonPropertyName("forward_ms")] double[] ForwardMs,
    [property: JsonPropertyName("gradcam_ms")] double[] GradCamMs,
    [property: JsonPropertyName("frames_ms")] double[] FramesMs,
    [property: JsonPropertyName("gradcam_frozen_ms")] double[] GradCamFrozenMs);

using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Rendering;

namespace SaliencySlider.Cli.Remote;

/// <summary>
/// Writes a streamed job to the output folder with the same layout as the local mode: heatmap.png
/// and cam.npy from the explanation, frames/ as they come, overlay.png and result.json at the end.
/// </summary>
internal sealed class RemoteResultWriter
{
    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    private readonly string _imagePath;
    private readonly string _server;
    private readonly string _outputDirectory;
    private readonly string _framesDirectory;
    private readonly SortedDictionary<int, Frame> _frames = [];
    private readonly Dictionary<int, string> _frameFiles = [];
    private Explanation? _explanation;
    private Completed? _completed;

    public RemoteResultWriter(string imagePath, string server, string outputDirectory)
    {
        _imagePath = imagePath;
        _server = server;
        _outputDirectory = outputDirectory;
        _framesDirectory = Path.Combine(outputDirectory, "frames");
        Directory.CreateDirectory(_framesDirectory);
        foreach (var stale in Directory.EnumerateFiles(_framesDirectory, "frame_*"))
        {
            File.Delete(stale);
        }
    }

    public string JobId { get; set; } = "";
    public int FramesReceived => _frames.Count;
    public int FrameCount => _explanation?.FrameCount ?? 0;

    public void Explained(Explanation explanation)
    {
        _explanation = explanation;
        File.WriteAllBytes(Path.Combine(_outputDirectory, "heatmap.png"), explanation.HeatmapPng.ToByteArray());
        NpyWriter.Write(Path.Combine(_outputDirectory, "cam.npy"), explanation.Cam.ToArray(), explanation.CamHeight, explanation.CamWidth);
    }

    public void Add(Frame frame)
    {
        _frames[frame.Index] = frame;
        var file = FrameFileName(frame);
        _frameFiles[frame.Index] = file;
        File.WriteAllBytes(Path.Combine(_framesDirectory, file), frame.Image.ToByteArray());
    }

    public void Finish(Completed completed)
    {
        _completed = completed;
        var explanation = _explanation ?? throw new InvalidOperationException("the job completed without an explanation");
        if (_frames.Count != explanation.FrameCount || !_frames.TryGetValue(explanation.FrameCount - 1, out var fullImage))
        {
            throw new InvalidOperationException($"the job completed with {_frames.Count} of {explanation.FrameCount} frames");
        }

        File.WriteAllBytes(Path.Combine(_outputDirectory, "overlay.png"),
            HeatmapRenderer.OverlayPng(fullImage.Image.Span, explanation.HeatmapPng.Span));
        File.WriteAllText(Path.Combine(_outputDirectory, "result.json"), JsonSerializer.Serialize(BuildResult(explanation, completed), JsonOptions));
    }

    public string Summary()
    {
        var explanation = _explanation!;
        var top1 = explanation.Prediction.Top[0];
        var timings = _completed!.Timings;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"job       {JobId} on {_server}");
        text.AppendLine(CultureInfo.InvariantCulture, $"top-1     {top1.Index} {top1.Label} p={top1.Probability:0.0000}");
        text.AppendLine(CultureInfo.InvariantCulture, $"explained {explanation.Prediction.TargetClass} {explanation.Prediction.TargetLabel} with {explanation.Method} on {explanation.Layer}");
        text.AppendLine(CultureInfo.InvariantCulture, $"insertion AUC {_completed.InsertionAuc:0.0000}");
        text.AppendLine(TimingsLine(timings));
        text.AppendLine(CultureInfo.InvariantCulture, $"wrote     {Path.GetFullPath(_outputDirectory)}");
        return text.ToString();
    }

    public static string TimingsLine(Timings timings) => string.Create(CultureInfo.InvariantCulture,
        $"timings ms: queue {timings.QueueMs:0.0}, decode {timings.DecodeMs:0.0}, gradient {timings.GradientMs:0.0}, cam {timings.CamMs:0.0}, "
        + $"frames inference {timings.FramesInferenceMs:0.0}, render {timings.RenderMs:0.0}, total {timings.TotalMs:0.0}");

    private string FrameFileName(Frame frame)
    {
        var count = _explanation?.FrameCount ?? 101;
        var digits = Math.Max(2, (count - 1).ToString(CultureInfo.InvariantCulture).Length);
        var extension = frame.MimeType switch
        {
            "image/png" => ".png",
            "image/webp" => ".webp",
            _ => ".jpg",
        };
        return "frame_" + frame.Index.ToString(CultureInfo.InvariantCulture).PadLeft(digits, '0') + extension;
    }

    private object BuildResult(Explanation explanation, Completed completed)
    {
        var prediction = explanation.Prediction;
        return new
        {
            Image = Path.GetFullPath(_imagePath),
            Server = _server,
            JobId,
            Method = explanation.Method,
            Layer = new { Name = explanation.Layer },
            Target = new { Index = prediction.TargetClass, Label = prediction.TargetLabel, Probability = prediction.TargetProbability },
            TopK = prediction.Top.Select(Score).ToArray(),
            Cam = new { File = "cam.npy", Height = explanation.CamHeight, Width = explanation.CamWidth },
            Frames = new
            {
                Count = explanation.FrameCount,
                Width = explanation.FrameWidth,
                Height = explanation.FrameHeight,
                Files = _frameFiles.OrderBy(f => f.Key).Select(f => "frames/" + f.Value).ToArray(),
            },
            InsertionCurve = _frames.Values.Select(frame => new
            {
                Frame = frame.Index,
                P = frame.Percent / 100.0,
                frame.TargetProbability,
                frame.DeletionProbability,
                Top1 = Score(frame.Prediction.Top[0]),
            }).ToArray(),
            completed.InsertionAuc,
            completed.DeletionAuc,
            TimingsMs = new
            {
                Queue = completed.Timings.QueueMs,
                Decode = completed.Timings.DecodeMs,
                Gradient = completed.Timings.GradientMs,
                Cam = completed.Timings.CamMs,
                FramesInference = completed.Timings.FramesInferenceMs,
                Render = completed.Timings.RenderMs,
                Total = completed.Timings.TotalMs,
            },
        };
    }

    private static object Score(ClassScore score) => new { score.Index, score.Label, score.Probability, score.Logit };
}

using System.Globalization;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Comparing;

/// <summary>
/// Writes a comparison to the output folder, in either mode (the remote mode maps the streamed MethodResults to the
/// engine's events): heatmaps/METHOD.png as each method's result arrives, compare.json at the end, and the ranked table.
/// </summary>
internal sealed class ComparisonWriter
{
    public const string HeatmapFolder = "heatmaps";

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    private readonly string _imagePath;
    private readonly string _outputDirectory;
    private readonly ComparisonOrigin _origin;
    private readonly ComparisonProtocol _protocol;
    private readonly List<MethodCompared> _results = [];
    private ComparisonStarted? _started;
    private ComparisonCompleted? _completed;

    public ComparisonWriter(string imagePath, string outputDirectory, ComparisonOrigin origin, ComparisonProtocol protocol)
    {
        _imagePath = imagePath;
        _outputDirectory = outputDirectory;
        _origin = origin;
        _protocol = protocol;
        var heatmaps = Path.Combine(outputDirectory, HeatmapFolder);
        Directory.CreateDirectory(heatmaps);
        foreach (var stale in Directory.EnumerateFiles(heatmaps, "*.png"))
        {
            File.Delete(stale);
        }
    }

    public int MethodsReceived => _results.Count;

    public void Add(ComparisonEvent comparisonEvent)
    {
        switch (comparisonEvent)
        {
            case ComparisonStarted started:
                _started = started;
                break;
            case MethodCompared result:
                _results.Add(result);
                File.WriteAllBytes(Path.Combine(_outputDirectory, HeatmapFile(result.Method)), result.HeatmapPng);
                break;
            case ComparisonCompleted completed:
                _completed = completed;
                break;
        }
    }

    public void Finish()
    {
        if (_started is null || _completed is null || _results.Count == 0)
        {
            throw new InvalidOperationException("the comparison ended early");
        }
        File.WriteAllText(Path.Combine(_outputDirectory, "compare.json"), JsonSerializer.Serialize(BuildResult(_started, _completed), JsonOptions));
    }

    /// <summary>The ranked table, the prediction and the protocol, as printed.</summary>
    public string Summary()
    {
        var target = _started!.Prediction;
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{_origin.Describe()}; layer {_started.Layer}");
        text.AppendLine(CultureInfo.InvariantCulture, $"target    {target.TargetClass} {target.TargetLabel} p={target.TargetProbability:0.0000}");
        text.AppendLine(CultureInfo.InvariantCulture, $"protocol  {_protocol.Describe()}");
        text.AppendLine(CultureInfo.InvariantCulture, $"ranked by {MethodRanking.Description}");
        text.AppendLine(CultureInfo.InvariantCulture, $"{"rank",4}  {"method",-12} {"insertion",9} {"deletion",9} {"ins-del",8} {"sufficiency",11}");
        var rank = 1;
        foreach (var result in MethodRanking.Rank(_results))
        {
            var sufficiency = result.Sufficiency is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "never";
            text.AppendLine(CultureInfo.InvariantCulture,
                $"{rank++,4}  {result.Method,-12} {result.InsertionAuc,9:0.0000} {result.DeletionAuc,9:0.0000} {MethodRanking.Score(result.InsertionAuc, result.DeletionAuc),8:0.0000} {sufficiency,11}");
        }
        text.AppendLine(CultureInfo.InvariantCulture, $"total ms  {_completed!.Timings.TotalMs:0.0}");
        text.AppendLine(CultureInfo.InvariantCulture, $"wrote     {Path.GetFullPath(_outputDirectory)}");
        return text.ToString();
    }

    private static string HeatmapFile(string method) => $"{HeatmapFolder}/{method}.png";

    private object BuildResult(ComparisonStarted started, ComparisonCompleted completed)
    {
        var prediction = started.Prediction;
        return new
        {
            Image = Path.GetFullPath(_imagePath),
            Model = _origin.Model,
            _origin.Server,
            _origin.JobId,
            started.Layer,
            Target = new { Index = prediction.TargetClass, Label = prediction.TargetLabel, Probability = prediction.TargetProbability },
            Protocol = new
            {
                _protocol.Frames,
                _protocol.Steps,
                _protocol.InsertionBaseline,
                _protocol.DeletionBaseline,
                _protocol.Score,
                _protocol.Auc,
            },
            Ranking = MethodRanking.Description,
            Methods = MethodRanking.Rank(_results).Select((result, index) => new
            {
                Rank = index + 1,
                result.Method,
                result.InsertionAuc,
                result.DeletionAuc,
                Score = MethodRanking.Score(result.InsertionAuc, result.DeletionAuc),
                result.Sufficiency,
                Heatmap = HeatmapFile(result.Method),
                result.InsertionCurve,
                result.DeletionCurve,
            }).ToArray(),
            TotalMs = completed.Timings.TotalMs,
        };
    }
}

/// <summary>Where a comparison ran: in-process with a model, or as a job on a server.</summary>
internal sealed record ComparisonOrigin(string? Model, string? Server, string? JobId)
{
    public string Describe() => Server is null ? OriginLine.Local(Model!) : OriginLine.Remote(JobId!, Server);
}

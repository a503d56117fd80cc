using System.Globalization;
using System.Text;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Comparing;

/// <summary>
/// The per-method statistics of an evaluation (mean, sample standard deviation and n of each AUC) as Markdown and CSV,
/// each stating the protocol.
/// </summary>
internal sealed class EvaluationReport(string model, string folder, ComparisonProtocol protocol)
{
    private readonly List<(string Image, PredictionResult Prediction, IReadOnlyList<MethodCompared> Results)> _images = [];
    private readonly List<(string Image, string Reason)> _skipped = [];

    public int ImageCount => _images.Count;

    public void Add(string image, PredictionResult prediction, IReadOnlyList<MethodCompared> results) => _images.Add((image, prediction, results));

    public void Skip(string image, string reason) => _skipped.Add((image, reason));

    /// <summary>One row per method, ranked by mean insertion AUC minus mean deletion AUC.</summary>
    public IReadOnlyList<MethodStatistics> Methods() => _images
        .SelectMany(i => i.Results)
        .GroupBy(r => r.Method)
        .Select(g => new MethodStatistics(
            g.Key,
            Statistic.Of(g.Select(r => (double)r.InsertionAuc)),
            Statistic.Of(g.Select(r => (double)r.DeletionAuc)),
            Statistic.Of(g.Where(r => r.Sufficiency is not null).Select(r => (double)r.Sufficiency!.Value))))
        .OrderByDescending(m => m.Insertion.Mean - m.Deletion.Mean)
        .ThenBy(m => m.Method, StringComparer.Ordinal)
        .ToArray();

    public string Markdown()
    {
        var text = new StringBuilder();
        text.AppendLine("# Faithfulness evaluation").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Model `{model}`, {_images.Count} images from `{folder}`.").AppendLine();
        text.AppendLine(CultureInfo.InvariantCulture, $"Protocol: {protocol.Describe()}").AppendLine();
        text.AppendLine("Mean ± sample standard deviation (n − 1) over the images; ranked by mean insertion AUC minus mean deletion AUC. " +
            "Sufficiency: the smallest revealed fraction whose top-1 is the full image's, averaged over the images where it was reached.").AppendLine();
        text.AppendLine("| rank | method | n | insertion AUC | deletion AUC | insertion − deletion | sufficiency (n) |");
        text.AppendLine("|---:|---|---:|---|---|---:|---|");
        var rank = 1;
        foreach (var m in Methods())
        {
            text.AppendLine(CultureInfo.InvariantCulture,
                $"| {rank++} | {m.Method} | {m.Insertion.Count} | {m.Insertion} | {m.Deletion} | {m.Insertion.Mean - m.Deletion.Mean:0.0000} | {m.Sufficiency} ({m.Sufficiency.Count}) |");
        }
        text.AppendLine().AppendLine("## Per image").AppendLine();
        text.AppendLine("| image | explained class (p) | method | insertion AUC | deletion AUC | sufficiency |");
        text.AppendLine("|---|---|---|---:|---:|---:|");
        foreach (var (image, prediction, results) in _images)
        {
            foreach (var r in results)
            {
                text.AppendLine(CultureInfo.InvariantCulture,
                    $"| {image} | {prediction.TargetClass} {prediction.TargetLabel} ({prediction.TargetProbability:0.00}) | {r.Method} | {r.InsertionAuc:0.0000} | {r.DeletionAuc:0.0000} | {Sufficiency(r.Sufficiency)} |");
            }
        }
        foreach (var (image, reason) in _skipped)
        {
            text.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"Skipped {image}: {reason}");
        }
        return text.ToString();
    }

    public string SummaryCsv()
    {
        var text = new StringBuilder();
        text.AppendLine("method,n,insertion_auc_mean,insertion_auc_sd,deletion_auc_mean,deletion_auc_sd,sufficiency_mean,sufficiency_n,frames,steps,insertion_baseline,deletion_baseline,score,model");
        foreach (var m in Methods())
        {
            text.AppendLine(string.Join(',',
                m.Method, Number(m.Insertion.Count), Number(m.Insertion.Mean), Number(m.Insertion.StandardDeviation),
                Number(m.Deletion.Mean), Number(m.Deletion.StandardDeviation), Number(m.Sufficiency.Mean), Number(m.Sufficiency.Count),
                Number(protocol.Frames), Number(protocol.Steps), protocol.InsertionBaseline, protocol.DeletionBaseline, Quoted(protocol.Score), Quoted(model)));
        }
        return text.ToString();
    }

    public string ImagesCsv()
    {
        var text = new StringBuilder();
        text.AppendLine("image,target_class,target_label,target_probability,method,insertion_auc,deletion_auc,sufficiency");
        foreach (var (image, prediction, results) in _images)
        {
            foreach (var r in results)
            {
                text.AppendLine(string.Join(',',
                    Quoted(image), Number(prediction.TargetClass), Quoted(prediction.TargetLabel), Number(prediction.TargetProbability),
                    r.Method, Number(r.InsertionAuc), Number(r.DeletionAuc), r.Sufficiency is { } s ? Number(s) : ""));
            }
        }
        return text.ToString();
    }

    private static string Sufficiency(float? value) => value is { } s ? s.ToString("0.00", CultureInfo.InvariantCulture) : "never";

    private static string Number(double value) => double.IsNaN(value) ? "" : value.ToString("0.######", CultureInfo.InvariantCulture);

    private static string Quoted(string value) => '"' + value.Replace("\"", "\"\"", StringComparison.Ordinal) + '"';
}

internal sealed record MethodStatistics(string Method, Statistic Insertion, Statistic Deletion, Statistic Sufficiency);

/// <summary>Mean and sample standard deviation (n − 1; NaN below two values) of a set of values.</summary>
internal sealed record Statistic(int Count, double Mean, double StandardDeviation)
{
    public static Statistic Of(IEnumerable<double> values)
    {
        var list = values.ToArray();
        if (list.Length == 0)
        {
            return new Statistic(0, double.NaN, double.NaN);
        }
        var mean = list.Average();
        var deviation = list.Length < 2 ? double.NaN : Math.Sqrt(list.Sum(v => (v - mean) * (v - mean)) / (list.Length - 1));
        return new Statistic(list.Length, mean, deviation);
    }

    public override string ToString() => Count == 0
        ? "–"
        : double.IsNaN(StandardDeviation)
            ? Mean.ToString("0.0000", CultureInfo.InvariantCulture)
            : string.Create(CultureInfo.InvariantCulture, $"{Mean:0.0000} ± {StandardDeviation:0.0000}");
}

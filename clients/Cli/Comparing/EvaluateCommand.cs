using System.CommandLine;
using System.Globalization;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Comparing;

/// <summary>
/// `saliency evaluate DIR --model M [--methods ...]`: the comparison of every image in DIR, in-process; prints and writes
/// evaluation.md and evaluation.csv (mean, standard deviation and n of each method's AUCs) and evaluation-images.csv.
/// </summary>
internal static class EvaluateCommand
{
    public static readonly string[] ImageExtensions = [".jpg", ".jpeg", ".png", ".bmp", ".gif", ".webp"];

    // The heatmaps are not written, and the display size does not change the curves (they are computed at the model's input size).
    private const int HeatmapSide = 16;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var directory = new Argument<string>("DIR") { Description = "Folder of images (JPEG, PNG, WebP, GIF or BMP; not searched recursively)" };
        var options = new ComparisonOptions();
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "saliency-evaluation", HelpName = "DIR" };
        var command = new Command("evaluate", "Insertion and deletion AUC of every CAM method over the images in DIR: mean, standard deviation and n per method; writes evaluation.md and evaluation.csv");
        command.Arguments.Add(directory);
        foreach (var option in options.Shared)
        {
            command.Options.Add(option);
        }
        command.Options.Add(output);
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var folder = parse.GetValue(directory)!;
                if (!Directory.Exists(folder))
                {
                    throw new DirectoryNotFoundException($"folder not found: {folder}");
                }
                var images = Directory.EnumerateFiles(folder)
                    .Where(f => ImageExtensions.Contains(Path.GetExtension(f).ToLowerInvariant()))
                    .Order(StringComparer.Ordinal)
                    .ToArray();
                if (images.Length == 0)
                {
                    throw new FileNotFoundException($"no images ({string.Join(", ", ImageExtensions)}) in {folder}");
                }
                var settings = options.Settings(parse) with { MaxFrameSide = HeatmapSide };
                var methods = options.MethodKinds(parse);
                var comparer = options.LoadComparer(parse, settings);
                using var model = comparer.Explainer.Model;
                var report = new EvaluationReport(model.Name, Path.GetFullPath(folder), ComparisonProtocol.For(settings));
                foreach (var path in images)
                {
                    try
                    {
                        var results = new List<MethodCompared>();
                        PredictionResult? prediction = null;
                        await foreach (var comparisonEvent in comparer.CompareAsync(await File.ReadAllBytesAsync(path, ct), settings, methods, ct))
                        {
                            switch (comparisonEvent)
                            {
                                case ComparisonStarted started:
                                    prediction = started.Prediction;
                                    break;
                                case MethodCompared result:
                                    results.Add(result);
                                    break;
                            }
                        }
                        report.Add(Path.GetFileName(path), prediction!, results);
                        await stderr.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                            $"{Path.GetFileName(path)}: {prediction!.TargetLabel} p={prediction.TargetProbability:0.000}; {results.Count} methods"));
                    }
                    catch (InvalidImageException e)
                    {
                        report.Skip(Path.GetFileName(path), e.Message);
                        await stderr.WriteLineAsync($"{Path.GetFileName(path)}: skipped: {ExplainCommand.OneLine(e.Message)}");
                    }
                }
                if (report.ImageCount == 0)
                {
                    throw new InvalidImageException($"none of the {images.Length} images in {folder} could be read");
                }
                var outputDirectory = parse.GetValue(output)!;
                Directory.CreateDirectory(outputDirectory);
                await File.WriteAllTextAsync(Path.Combine(outputDirectory, "evaluation.md"), report.Markdown(), ct);
                await File.WriteAllTextAsync(Path.Combine(outputDirectory, "evaluation.csv"), report.SummaryCsv(), ct);
                await File.WriteAllTextAsync(Path.Combine(outputDirectory, "evaluation-images.csv"), report.ImagesCsv(), ct);
                await stdout.WriteAsync(report.Markdown());
                await stdout.WriteLineAsync($"wrote {Path.GetFullPath(outputDirectory)}");
                return CliApp.ExitOk;
            }
            catch (Exception e) when (ExplainCommand.IsInputError(e))
            {
                await stderr.WriteLineAsync($"error: {ExplainCommand.OneLine(e.Message)}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }
}

using System.Text.Json;
using SaliencySlider.Engine.Models;
using SaliencySlider.EngineBench;

var options = BenchOptions.Parse(args);
if (options.Gpu)
{
    return GpuBench.Run(options);
}
var imageBytes = File.ReadAllBytes(options.Image);
var torch = TorchBaseline.Load(options.TorchDirectory);
if (options.TorchDirectory is not null && torch is null)
{
    Console.Error.WriteLine($"no torch_results.json in {options.TorchDirectory}; run bench/baseline/torch_gradcam.py first");
    return 1;
}

var catalog = ModelCatalog.Load(options.ManifestDirectory, options.ModelsDirectory);
if (!options.Quick)
{
    var scoreCam = ScoreCamBench.Run(catalog.Default, options, imageBytes);
    Console.WriteLine(scoreCam);
    if (options.Document is not null)
    {
        MarkdownSection.Replace(options.Document, "scorecam", scoreCam);
    }
    if (options.ScoreCamOnly)
    {
        return 0;
    }
}
var results = new List<ModelResult>();
Console.WriteLine($"threads {options.Threads}, frames {options.Frames}, repeats {options.Repeats}");
results.Add(Report(ModelBench.Run(catalog.Default, null, options, imageBytes, null, null)));
if (options.Threads != 1 && !options.Quick && !options.Short)
{
    // One intra-op thread leaves the other core to rendering, which the pipelined job overlaps with inference.
    var single = ModelBench.Run(catalog.Default, null, options with { Threads = 1 }, imageBytes, null, null);
    results.Add(Report(single with { Model = single.Model + " (1 intra-op thread)" }));
}
// Every photo next to the bench image: the prepare stage's cost depends on the image's size and format.
var prepareImages = Directory.GetFiles(Path.GetDirectoryName(Path.GetFullPath(options.Image))!).Order(StringComparer.Ordinal).ToArray();
if (options.Quick)
{
    Console.WriteLine(PrepareBench.Run(catalog.Default, options, prepareImages));
    var t = results[0].JobStages;
    var (prepare, cam, heatmap, render) = ModelBench.BestStageCosts(catalog.Default, options, imageBytes);
    Console.WriteLine($"fastest of {options.StageRuns}: prepare {prepare:F2}, cam {cam:F2}, heatmap {heatmap:F2}, render one frame {render:F2} ms");
    Console.WriteLine($"stages: prepare {t.DecodeMs:F1}, gradient {t.GradientMs:F1}, cam+heatmap {t.CamMs:F1}, frames {t.FramesInferenceMs:F1}, render {t.RenderMs:F1}, total {t.TotalMs:F1}");
    return 0;
}
foreach (var name in torch?.Models.Keys.ToArray() ?? [])
{
    if (options.Python is not null && options.TorchScript is not null)
    {
        torch!.Retime(name, options.Python, options.TorchScript, options);
    }
    var entry = ModelEntry.FromBareOnnx(Path.Combine(torch!.Directory, torch.Models[name].Onnx));
    results.Add(Report(ModelBench.Run(entry, torch.Models[name].TargetLayer, options, imageBytes, torch, name)));
}
var codecs = ModelBench.Codecs(catalog.Default, options, imageBytes);
var threads = ModelBench.ThreadSweep(catalog.Default, options, imageBytes);
var batches = ModelBench.BatchSweep(catalog.Default, options);
var bestStages = ModelBench.BestStageCosts(catalog.Default, options, imageBytes);
var prepareSteps = PrepareBench.Run(catalog.Default, options, prepareImages);

var report = new EngineReport(options, torch, results, codecs, threads, batches, bestStages, prepareSteps);
if (options.JsonOutput is not null)
{
    File.WriteAllText(options.JsonOutput, JsonSerializer.Serialize(results, new JsonSerializerOptions { WriteIndented = true }));
}
var markdown = report.Markdown();
Console.WriteLine(markdown);
if (options.Document is not null)
{
    MarkdownSection.Replace(options.Document, "engine", markdown);
}
return 0;

static ModelResult Report(ModelResult r)
{
    Console.WriteLine($"{r.Model}: forward {r.Forward.Median:F1} ms, gradient {r.Gradient.Median:F1} ms, frames {r.FrameBatch.Median:F1} ms, "
        + $"render {r.RenderPerFrame.Median:F2} ms/frame, job {r.Job.Median:F1} ms, first frame {r.FirstFrame.Median:F1} ms");
    return r;
}

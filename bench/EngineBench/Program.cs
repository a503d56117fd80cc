using System.Text.Json;
using SaliencySlider.Engine.Models;
using SaliencySlider.EngineBench;

var options = BenchOptions.Parse(args);
var imageBytes = File.ReadAllBytes(options.Image);
var torch = TorchBaseline.Load(options.TorchDirectory);
if (options.TorchDirectory is not null && torch is null)
{
    Console.Error.WriteLine($"no torch_results.json in {options.TorchDirectory}; run bench/baseline/torch_gradcam.py first");
    return 1;
}

var catalog = ModelCatalog.Load(options.ManifestDirectory, options.ModelsDirectory);
var results = new List<ModelResult>();
Console.WriteLine($"threads {options.Threads}, frames {options.Frames}, repeats {options.Repeats}");
results.Add(Report(ModelBench.Run(catalog.Default, null, options, imageBytes, null, null)));
foreach (var (name, model) in torch?.Models ?? [])
{
    var entry = ModelEntry.FromBareOnnx(Path.Combine(torch!.Directory, model.Onnx));
    results.Add(Report(ModelBench.Run(entry, model.TargetLayer, options, imageBytes, torch, name)));
}
var codecs = ModelBench.Codecs(catalog.Default, options, imageBytes);
var threads = ModelBench.ThreadSweep(catalog.Default, options, imageBytes);
var batches = ModelBench.BatchSweep(catalog.Default, options);

var report = new EngineReport(options, torch, results, codecs, threads, batches);
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

using System.Diagnostics;
using System.Security.Cryptography;
using Google.Protobuf;
using SaliencySlider.Cli.ModelImport;
using SaliencySlider.Cli.Tests.Support;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using Xunit.Abstractions;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>
/// The iNaturalist bird and insect classifiers (../shared/models/sources, the quantized TFLite files scripts/fetch-models
/// pins) converted once for the class with import-tflite's converter, as fetch-models does, and loaded through the
/// repository's manifests.
/// </summary>
public sealed class INaturalistModels : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("inat-models-").FullName;

    public INaturalistModels()
    {
        Bird = Convert("inat_bird.json");
        Insect = Convert("inat_insect.json");
    }

    public sealed record Converted(ModelSetTable.Line Line, string SourceSha256, string Fingerprint, TimeSpan ConversionTime, ExplainerModel Model);

    public Converted Bird { get; }

    public Converted Insect { get; }

    public Converted this[string name] => name switch
    {
        "inat-bird" => Bird,
        "inat-insect" => Insect,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "not an iNaturalist model"),
    };

    public void Dispose()
    {
        Bird.Model.Dispose();
        Insect.Model.Dispose();
        Directory.Delete(_folder, recursive: true);
    }

    private Converted Convert(string manifestFile)
    {
        var manifestPath = Path.Combine(TestPaths.ManifestDirectory, manifestFile);
        var manifest = ModelManifest.Load(manifestPath);
        var line = ModelSetTable.For(manifest.Onnx);
        var labels = ModelSetTable.For(manifest.Labels!);
        var sources = Path.Combine(TestPaths.ModelDirectory, "sources");
        var tflite = File.ReadAllBytes(Path.Combine(sources, line.SourceName));
        File.Copy(Path.Combine(sources, labels.SourceName), Path.Combine(_folder, labels.File));

        var clock = Stopwatch.StartNew();
        var model = TfliteToOnnxConverter.Convert(tflite, line.SourceName, new TfliteImportOptions
        {
            GraphName = line.Argument("--name"),
            DropLeadingClasses = int.Parse(line.Argument("--drop-leading-classes") ?? "0", System.Globalization.CultureInfo.InvariantCulture),
        });
        var bytes = model.ToByteArray();
        clock.Stop();
        File.WriteAllBytes(Path.Combine(_folder, line.File), bytes);

        var entry = ModelEntry.FromManifest(manifestPath, _folder);
        var loaded = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        return new Converted(line, System.Convert.ToHexStringLower(SHA256.HashData(tflite)), ModelFingerprint.Compute(model), clock.Elapsed, loaded);
    }
}

/// <summary>The converted iNaturalist models are the published ones and name the species in the shared photos.</summary>
public sealed class INaturalistModelTests(INaturalistModels models, ITestOutputHelper output) : IClassFixture<INaturalistModels>
{
    private const string TargetLayer = "MobilenetV2/Conv_1/Relu6;MobilenetV2/Conv_1/add_fold;MobilenetV2/Conv_1/Conv2D_Fold;MobilenetV2/Conv_1/BatchNorm_Fold/bias";

    [Theory]
    [InlineData("inat-bird", 965)]
    [InlineData("inat-insect", 1022)]
    public void Converts_the_pinned_source_to_the_published_fingerprint_with_one_label_per_logit(string name, int classes)
    {
        var converted = models[name];
        output.WriteLine($"{name}: converted in {converted.ConversionTime.TotalMilliseconds:F0} ms (parse, dequantize, write)");

        Assert.Equal(converted.Line.SourceSha256, converted.SourceSha256);
        Assert.Equal(converted.Line.Argument("--expect-fingerprint"), converted.Fingerprint);
        Assert.Equal(name, converted.Model.Name);
        Assert.Equal(classes, converted.Model.ClassCount);
        Assert.Equal(classes, converted.Model.Entry.Labels.Count);
        Assert.Equal("background", converted.Model.LabelOf(classes - 1));
        Assert.Equal(TargetLayer, converted.Model.DefaultTargetLayer);
    }

    [Theory]
    [InlineData("inat-bird", "bird.bmp", "Poecile atricapillus (Black-capped Chickadee)")]
    [InlineData("inat-bird", "eagle.jpg", "Haliaeetus leucocephalus (Bald Eagle)")]
    [InlineData("inat-insect", "dragonfly.bmp", "Micrathyria hagenii (Thornbush Dasher)")]
    public async Task Explains_the_shared_photo_as_its_species(string name, string photo, string species)
    {
        var explainer = new Explainer(models[name].Model);
        var settings = new ExplainSettings { FrameCount = 5, MaxFrameSide = 96 };

        var events = new List<ExplainEvent>();
        await foreach (var explainEvent in explainer.ExplainAsync(File.ReadAllBytes(TestPaths.Image(photo)), settings))
        {
            events.Add(explainEvent);
        }

        var ready = Assert.IsType<ExplanationReady>(events[0]);
        var completed = Assert.IsType<ExplanationCompleted>(events[^1]);
        output.WriteLine($"{name} on {photo}: {string.Join(", ", ready.Prediction.Top.Take(3).Select(s => $"{s.Label} {s.Probability:P1}"))}");
        Assert.Equal(species, ready.Prediction.Top[0].Label);
        Assert.Equal(species, ready.Prediction.TargetLabel);
        Assert.Equal(("gradcam", TargetLayer), (ready.Method, ready.Layer));
        Assert.Equal([1, 1280, 7, 7], ready.LayerShape);
        Assert.All(ready.Cam, v => Assert.True(v >= 0));
        Assert.Contains(ready.Cam, v => v > 0);
        Assert.Equal(5, events.OfType<SliderFrame>().Count());
        Assert.InRange(completed.InsertionAuc, 0f, 1f);
    }
}

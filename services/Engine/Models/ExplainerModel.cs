using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Models;

/// <summary>A model ready to explain: its manifest, the ONNX sessions and the labels.</summary>
public sealed class ExplainerModel : IDisposable
{
    private readonly bool _ownsClassifier;
    private readonly ConcurrentDictionary<string, TargetGrid> _grids = new(StringComparer.Ordinal);

    public ExplainerModel(ModelEntry entry, ClassifierModel classifier, bool ownsClassifier = true)
    {
        Entry = entry;
        Classifier = classifier;
        _ownsClassifier = ownsClassifier;
        Check(entry, classifier);
        Manifest = entry.Manifest;
        DefaultTargetLayer = string.IsNullOrEmpty(entry.Manifest.TargetLayer) ? classifier.DefaultTargetLayer : entry.Manifest.TargetLayer;
    }

    public ModelEntry Entry { get; }
    public ModelManifest Manifest { get; }
    public ClassifierModel Classifier { get; }
    public string Name => Entry.Name;
    public string DefaultTargetLayer { get; }
    public int InputWidth => Manifest.InputWidth;
    public int InputHeight => Manifest.InputHeight;
    public int ClassCount => Classifier.ClassCount;

    public static ExplainerModel Load(ModelEntry entry, ClassifierModelOptions? options = null, ILogger? logger = null)
    {
        var classifier = ClassifierModel.Load(entry.OnnxPath, options, logger);
        try
        {
            return new ExplainerModel(entry, classifier);
        }
        catch
        {
            classifier.Dispose();
            throw;
        }
    }

    /// <summary>How <paramref name="layer"/> is read as channel maps: the manifest's <c>targetLayout</c>, else inferred from its shape.</summary>
    public TargetGrid GridOf(string layer) => _grids.GetOrAdd(layer, name => TargetGrid.OfTensor(
        name, Classifier.TensorShape(name), Classifier.InputHeight, Classifier.InputWidth, Manifest.TargetLayout, Manifest.PrefixTokens));

    /// <summary>The class's label, or its index when the model has no labels file.</summary>
    public string LabelOf(int classIndex) => classIndex >= 0 && classIndex < Entry.Labels.Count
        ? Entry.Labels[classIndex]
        : classIndex.ToString(CultureInfo.InvariantCulture);

    public void Dispose()
    {
        if (_ownsClassifier)
        {
            Classifier.Dispose();
        }
    }

    private static void Check(ModelEntry entry, ClassifierModel classifier)
    {
        var manifest = entry.Manifest;
        if (classifier.InputChannels != 3)
        {
            throw new UnsupportedModelException($"model {entry.Name} takes {classifier.InputChannels} input channels; only 3-channel images are supported");
        }
        if (manifest.InputName is not null && manifest.InputName != classifier.InputName)
        {
            throw new UnsupportedModelException($"model {entry.Name}: the manifest names input '{manifest.InputName}', the graph's is '{classifier.InputName}'");
        }
        if ((classifier.InputHeight > 0 && classifier.InputHeight != manifest.InputHeight)
            || (classifier.InputWidth > 0 && classifier.InputWidth != manifest.InputWidth))
        {
            throw new UnsupportedModelException(
                $"model {entry.Name}: the manifest says {manifest.InputWidth}x{manifest.InputHeight}, the graph takes {classifier.InputWidth}x{classifier.InputHeight}");
        }
        if (entry.Labels.Count > 0 && entry.Labels.Count != classifier.ClassCount)
        {
            throw new UnsupportedModelException($"model {entry.Name}: {entry.Labels.Count} labels for {classifier.ClassCount} classes");
        }
    }
}

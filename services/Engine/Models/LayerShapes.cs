using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime.Tensors;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Models;

/// <summary>
/// The static shapes (batch of 1) of every tensor a model's nodes compute, and the element types of those that are
/// not float, as a worker measured them when it loaded the model (<see cref="ClassifierModel.NodeOutputFacts"/>).
/// Workers publish them so the gateway, which opens no ONNX Runtime session, can refuse with the worker's own words
/// a layer that does not read as a grid, or whose backward pass the gradient graph builder refuses
/// (<see cref="ModelGraph.BuildRefusal"/>). They are keyed by <see cref="FileHash"/>, so a gateway only trusts
/// shapes measured on the very file it serves.
/// </summary>
/// <param name="ElementTypes">ONNX Runtime's element type of each tensor that is not float; null in what older workers
/// published (the float tensors on the path only), with which the gateway checks grids but cannot run the builder.</param>
public sealed record LayerShapes(int InputHeight, int InputWidth, IReadOnlyDictionary<string, int[]> Tensors, IReadOnlyDictionary<string, int>? ElementTypes = null)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LayerShapes Of(ExplainerModel model) => Of(model.Classifier);

    public static LayerShapes Of(ClassifierModel classifier)
    {
        var facts = classifier.NodeOutputFacts().ToList();
        return new(
            classifier.InputHeight,
            classifier.InputWidth,
            facts.ToDictionary(f => f.Key, f => f.Value.Shape.Select(d => (int)d).ToArray(), StringComparer.Ordinal),
            facts.Where(f => !f.Value.IsFloat).ToDictionary(f => f.Key, f => (int)f.Value.ElementType, StringComparer.Ordinal));
    }

    /// <summary>The facts of the tensors the nodes compute; null when the record has no element types.</summary>
    internal IEnumerable<KeyValuePair<string, TensorFacts>>? NodeOutputFacts()
        => ElementTypes is null ? null : Tensors.Select(t => KeyValuePair.Create(t.Key, new TensorFacts(
            [.. t.Value.Select(d => (long)d)],
            ElementTypes.TryGetValue(t.Key, out var type) ? (TensorElementType)type : TensorElementType.Float)));

    /// <summary>SHA-256 of the model file, read in pieces (models can be large).</summary>
    public static string FileHash(string onnxPath)
    {
        using var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    public string Encode() => JsonSerializer.Serialize(this, Json);

    /// <summary>Null for text that is not what <see cref="Encode"/> writes (another version's, or damaged).</summary>
    public static LayerShapes? TryDecode(string? text)
    {
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize<LayerShapes>(text, Json) is { Tensors: not null } shapes ? shapes : null;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>
    /// Why <paramref name="layer"/> does not read as a grid of channel maps (the worker's <see cref="ExplainerModel.GridOf"/>
    /// refusal), or null when it does or when its shape was not measured.
    /// </summary>
    public string? GridProblem(string layer, ModelManifest manifest)
    {
        if (!Tensors.TryGetValue(layer, out var shape))
        {
            return null;
        }

        try
        {
            TargetGrid.OfTensor(layer, shape, InputHeight, InputWidth, manifest.TargetLayout, manifest.PrefixTokens);
            return null;
        }
        catch (UnsupportedModelException e)
        {
            return e.Message;
        }
    }
}

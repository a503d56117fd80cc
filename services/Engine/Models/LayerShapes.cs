using System.Security.Cryptography;
using System.Text.Json;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Models;

/// <summary>
/// The static shapes of a model's possible target layers, as a worker measured them when it loaded the model
/// (<see cref="Inference.ClassifierModel.FloatTensorShapesOnPath"/>). Workers publish them so the gateway, which
/// opens no ONNX Runtime session, can refuse a layer that does not read as a grid with the worker's own words.
/// They are keyed by <see cref="FileHash"/>, so a gateway only trusts shapes measured on the very file it serves.
/// </summary>
public sealed record LayerShapes(int InputHeight, int InputWidth, IReadOnlyDictionary<string, int[]> Tensors)
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    public static LayerShapes Of(ExplainerModel model)
        => new(model.Classifier.InputHeight, model.Classifier.InputWidth, model.Classifier.FloatTensorShapesOnPath());

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

using System.Text.Json;
using System.Text.Json.Serialization;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Models;

public enum ChannelOrder
{
    [JsonStringEnumMemberName("RGB")]
    Rgb,
    [JsonStringEnumMemberName("BGR")]
    Bgr,
}

public enum ResizePolicy
{
    /// <summary>The whole image resized to the input size, aspect ratio ignored.</summary>
    [JsonStringEnumMemberName("squash")]
    Squash,

    /// <summary>The shorter side resized to <see cref="ModelManifest.ResizeShorterSide"/>, then the centre cropped to the input size.</summary>
    [JsonStringEnumMemberName("shorter-side-then-center-crop")]
    ShorterSideThenCenterCrop,
}

/// <summary>
/// How to feed an ONNX image classifier: the JSON file next to (or naming) the .onnx.
/// A model input value is <c>(pixel / PixelScale − Mean[c]) / Std[c]</c> for pixel values 0..255.
/// </summary>
public sealed record ModelManifest
{
    /// <summary>Model name clients ask for; the .onnx file stem when empty.</summary>
    public string Name { get; init; } = "";

    public string? Description { get; init; }

    /// <summary>The .onnx file, relative to the manifest's folder first, then to the model directory.</summary>
    public string Onnx { get; init; } = "";

    /// <summary>Name of the image input; null for the graph's only input.</summary>
    public string? InputName { get; init; }

    public int InputWidth { get; init; } = 224;
    public int InputHeight { get; init; } = 224;
    public ChannelOrder ChannelOrder { get; init; } = ChannelOrder.Rgb;
    public ResizePolicy Resize { get; init; } = ResizePolicy.Squash;

    /// <summary>Length the shorter side is resized to before the centre crop; 0 for 256/224 of the input size.</summary>
    public int ResizeShorterSide { get; init; }

    public float PixelScale { get; init; } = 255f;
    public float[] Mean { get; init; } = [0.485f, 0.456f, 0.406f];
    public float[] Std { get; init; } = [0.229f, 0.224f, 0.225f];

    /// <summary>Labels file, one label a line (line i names class i); null for class indices as labels.</summary>
    public string? Labels { get; init; }

    /// <summary>Tensor explained by default; null for the one the graph suggests (see models/README.md).</summary>
    public string? TargetLayer { get; init; }

    /// <summary>How every explained tensor of this model is laid out; null to infer it from each one's shape.</summary>
    public TargetLayout? TargetLayout { get; init; }

    /// <summary>Tokens before the patch grid when <see cref="TargetLayout"/> is tokens; null to infer.</summary>
    public int? PrefixTokens { get; init; }

    public const string DefaultFileExtension = ".json";

    public static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        Converters = { new JsonStringEnumConverter() },
    };

    /// <summary>
    /// The torchvision defaults used for a bare .onnx (RGB, ImageNet mean/std, squash) at the input size its graph
    /// fixes; the default size when the file cannot be read as a model (loading it then says why).
    /// </summary>
    public static ModelManifest ForBareOnnx(string onnxPath)
    {
        var manifest = new ModelManifest
        {
            Name = Path.GetFileNameWithoutExtension(onnxPath),
            Onnx = Path.GetFileName(onnxPath),
        };
        return OnnxInputPeek.InputSize(onnxPath) is { } size
            ? manifest with { InputWidth = size.Width, InputHeight = size.Height }
            : manifest;
    }

    public static ModelManifest Parse(string json, string source)
    {
        ModelManifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<ModelManifest>(json, JsonOptions);
        }
        catch (JsonException e)
        {
            throw new UnsupportedModelException($"model manifest {source} is not valid: {e.Message}");
        }
        if (manifest is null)
        {
            throw new UnsupportedModelException($"model manifest {source} is empty");
        }
        manifest.Validate(source);
        return manifest;
    }

    public static ModelManifest Load(string manifestPath) => Parse(File.ReadAllText(manifestPath), manifestPath);

    public int EffectiveShorterSide => ResizeShorterSide > 0
        ? ResizeShorterSide
        : (int)Math.Round(Math.Min(InputWidth, InputHeight) * 256.0 / 224.0);

    /// <summary>Throws <see cref="UnsupportedModelException"/> naming <paramref name="source"/> when a field is out of range.</summary>
    public void Validate(string source)
    {
        string? problem = null;
        if (string.IsNullOrWhiteSpace(Onnx))
        {
            problem = "\"onnx\" is missing";
        }
        else if (InputWidth <= 0 || InputHeight <= 0)
        {
            problem = "\"inputWidth\" and \"inputHeight\" must be positive";
        }
        else if (Mean.Length != 3 || Std.Length != 3)
        {
            problem = "\"mean\" and \"std\" need 3 values each";
        }
        else if (Std.Any(s => s == 0f) || PixelScale == 0f)
        {
            problem = "\"std\" and \"pixelScale\" must not be 0";
        }
        else if (PrefixTokens is not null && TargetLayout != Cam.TargetLayout.Tokens)
        {
            problem = "\"prefixTokens\" needs \"targetLayout\": \"tokens\"";
        }
        else if (PrefixTokens < 0)
        {
            problem = "\"prefixTokens\" must not be negative";
        }
        if (problem is not null)
        {
            throw new UnsupportedModelException($"model manifest {source}: {problem}");
        }
    }
}

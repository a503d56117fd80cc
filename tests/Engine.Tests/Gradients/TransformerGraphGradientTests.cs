using System.IO.Compression;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

/// <summary>
/// The backward pass through the graphs torch.onnx writes for ViT, Swin, ConvNeXt and MaxViT
/// (tests/fixtures/models/tiny_*.onnx.gz, made by export_transformers.py next to them): from the natural
/// Grad-CAM target (<c>target</c>) and from right after the stem (<c>early</c>, so every block is crossed),
/// at opset 13 (LayerNorm decomposed into ReduceMean/Sub/Pow/Sqrt/Div) and 17 (LayerNormalization).
/// </summary>
public sealed class TransformerGraphGradientTests
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    public static TheoryData<string, int, string> AllCases()
    {
        var cases = new TheoryData<string, int, string>();
        foreach (var family in new[] { "vit", "swin", "convnext", "maxvit" })
        {
            foreach (var opset in new[] { 13, 17 })
            {
                cases.Add(family, opset, "target");
                cases.Add(family, opset, "early");
            }
        }

        return cases;
    }

    /// <summary>Against torch autograd in float64 (tiny_*_reference.npz), for the top-1 of one image and a given class of another.</summary>
    [Theory]
    [MemberData(nameof(AllCases))]
    public void Gradient_matches_torch_autograd(string family, int opset, string layer)
    {
        var reference = Reference(family);
        using var model = ClassifierModel.Load(Fixture(family, opset), Cpu);
        var classes = reference["classes"].Values.Select(v => (int)v).ToArray();
        var result = model.ForwardWithGradients(reference["image"].Values, 2, [-1, classes[1]], layer);

        Assert.Equal(classes, result.TargetClasses);
        AssertClose(reference["logits"].Values, result.Logits, 1e-4f);
        Assert.Equal(reference[layer].Shape[1..], result.ActivationShape);
        AssertClose(reference[layer].Values, result.Gradients, 1e-4f);
    }

    /// <summary>Central finite differences of the ONNX graph itself, where the float32 logits are smooth enough at ε.</summary>
    [Theory]
    [InlineData("swin", 13, "target")]
    [InlineData("swin", 17, "target")]
    [InlineData("convnext", 13, "target")]
    [InlineData("convnext", 17, "target")]
    [InlineData("maxvit", 13, "target")]
    [InlineData("maxvit", 17, "target")]
    public void Gradient_matches_finite_differences(string family, int opset, string layer)
        => FiniteDifferenceChecker.AssertMatches(Fixture(family, opset), layer, [-1, 3]);

    /// <summary>Every element within <paramref name="tolerance"/> of the largest expected magnitude.</summary>
    private static void AssertClose(float[] expected, float[] actual, float tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(MathF.Abs);
        Assert.True(scale > 1e-3f, "the reference is too small to compare against");
        var worst = Enumerable.Range(0, expected.Length).MaxBy(i => MathF.Abs(expected[i] - actual[i]));
        var error = MathF.Abs(expected[worst] - actual[worst]) / scale;
        Assert.True(error <= tolerance, $"element {worst}: expected {expected[worst]:G6}, got {actual[worst]:G6} (error {error:G3} of the largest magnitude {scale:G4})");
    }

    internal static byte[] Fixture(string family, int opset)
    {
        using var file = File.OpenRead(RepositoryPaths.Combine($"tests/fixtures/models/tiny_{family}_opset{opset}.onnx.gz"));
        using var gzip = new GZipStream(file, CompressionMode.Decompress);
        using var bytes = new MemoryStream();
        gzip.CopyTo(bytes);
        return bytes.ToArray();
    }

    private static Dictionary<string, (int[] Shape, float[] Values)> Reference(string family)
    {
        using var archive = ZipFile.OpenRead(RepositoryPaths.Combine($"tests/fixtures/models/tiny_{family}_reference.npz"));
        var arrays = new Dictionary<string, (int[] Shape, float[] Values)>(StringComparer.Ordinal);
        foreach (var entry in archive.Entries)
        {
            using var stream = entry.Open();
            using var bytes = new MemoryStream();
            stream.CopyTo(bytes);
            var (shape, values, _) = NpyReader.Read(bytes.ToArray());
            arrays[Path.GetFileNameWithoutExtension(entry.Name)] = (shape, values);
        }

        return arrays;
    }
}

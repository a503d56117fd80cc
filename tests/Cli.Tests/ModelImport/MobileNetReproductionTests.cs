using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using Xunit.Abstractions;
using SaliencySlider.Cli.ModelImport;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>The shared MobileNet rebuilt as a Coral-shaped TFLite file and converted once for the class.</summary>
public sealed class CoralMobileNetConversion
{
    public CoralMobileNetConversion()
    {
        Shared = ModelProto.Parser.ParseFrom(File.ReadAllBytes(TestPaths.MobileNetOnnx));
        var built = CoralMobileNetTflite.Build(Shared);
        (QuantizedWeights, Float32Weights, Int32Biases) = (built.QuantizedWeights, built.Float32Weights, built.Int32Biases);
        Converted = TfliteToOnnxConverter.Convert(built.Tflite, "mobilenet_v2_1.0_224_quant.tflite",
            new TfliteImportOptions { DropLeadingClasses = 1, GraphName = "mobilenet_v2_1.0_224" });
    }

    public ModelProto Shared { get; }

    public ModelProto Converted { get; }

    public int QuantizedWeights { get; }

    public int Float32Weights { get; }

    public int Int32Biases { get; }
}

/// <summary>Converting a TFLite file with the real Coral file's structure and names gives back the shared ONNX model.</summary>
public sealed class MobileNetReproductionTests(CoralMobileNetConversion conversion, ITestOutputHelper output) : IClassFixture<CoralMobileNetConversion>
{
    [Fact]
    public void Every_conv_weight_is_stored_as_exactly_reconstructed_uint8()
    {
        output.WriteLine($"weights stored uint8: {conversion.QuantizedWeights}, FLOAT32 fallback: {conversion.Float32Weights}; biases stored int32: {conversion.Int32Biases} of 53");

        Assert.Equal(53, conversion.QuantizedWeights + conversion.Float32Weights);
        Assert.Equal(0, conversion.Float32Weights);
        Assert.True(conversion.Int32Biases > 0, "some biases should go through the int32 q · scale path");
    }

    [Fact]
    public void Fingerprint_equals_the_shared_models()
    {
        Assert.Equal(ModelFingerprint.Compute(conversion.Shared), ModelFingerprint.Compute(conversion.Converted));
    }

    [Fact]
    public void Every_node_tensor_and_initializer_is_named_as_in_the_shared_model()
    {
        var (shared, converted) = (conversion.Shared.Graph, conversion.Converted.Graph);

        Assert.Equal(shared.Name, converted.Name);
        Assert.Equal(shared.Input.Select(i => i.ToString()), converted.Input.Select(i => i.ToString()));
        Assert.Equal(shared.Output.Select(o => o.ToString()), converted.Output.Select(o => o.ToString()));
        Assert.Equal(shared.Node.Select(n => n.Name), converted.Node.Select(n => n.Name));
        Assert.Equal(shared.Node.Select(n => string.Join(",", n.Input)), converted.Node.Select(n => string.Join(",", n.Input)));
        Assert.Equal(shared.Node.Select(n => string.Join(",", n.Output)), converted.Node.Select(n => string.Join(",", n.Output)));
        Assert.Equal(shared.Initializer.Select(t => t.Name), converted.Initializer.Select(t => t.Name));
        Assert.Equal(conversion.Shared.IrVersion, conversion.Converted.IrVersion);
        Assert.Equal(conversion.Shared.OpsetImport, conversion.Converted.OpsetImport);
    }

    [Fact]
    public void Both_models_give_identical_logits_for_a_photo()
    {
        var manifest = new ModelManifest
        {
            Onnx = "mobilenet_v2_1.0_224.onnx",
            Resize = ResizePolicy.ShorterSideThenCenterCrop,
            ResizeShorterSide = 256,
            PixelScale = 127.5f,
            Mean = [1, 1, 1],
            Std = [1, 1, 1],
        };
        var image = ImageDecoder.Decode(File.ReadAllBytes(TestPaths.Image("chelsea.png")));
        var tensor = TensorConverter.ToTensor(ImageResampler.Resample(image, ModelView.For(image, manifest), 224, 224), manifest);

        var expected = Logits(conversion.Shared, tensor);
        var actual = Logits(conversion.Converted, tensor);

        Assert.Equal(1000, actual.Length);
        Assert.Equal(expected, actual);
        Assert.InRange(Array.IndexOf(actual, actual.Max()), 281, 285); // a cat
    }

    private static float[] Logits(ModelProto model, float[] input)
    {
        using var options = new SessionOptions { IntraOpNumThreads = 1 };
        using var session = new InferenceSession(model.ToByteArray(), options);
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, [1, 3, 224, 224]))]);
        return [.. results.Single(r => r.Name == TfliteToOnnxConverter.OutputName).AsEnumerable<float>()];
    }
}

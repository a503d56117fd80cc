using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>Default target layers of tiny torchvision transformers exported by TestModels/Exported/export.py.</summary>
public sealed class DefaultTargetLayerTests
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    public static TheoryData<string, string, TargetGrid> ExportedModels => new()
    {
        // The class token is picked after the last block, so the other tokens reach the logits only through the
        // last block's attention: its input, ln_1, is the layer (as pytorch-grad-cam's blocks[-1].norm1).
        { "vit_opset13.onnx", "/encoder/layers/encoder_layer_1/ln_1/Add_1_output_0", new(TargetLayout.Tokens, 16, 4, 4, 1) },
        { "vit_opset17.onnx", "/encoder/layers/encoder_layer_1/ln_1/LayerNormalization_output_0", new(TargetLayout.Tokens, 16, 4, 4, 1) },
        // Swin pools every token: the final norm's [N, 4, 4, C] output, not the NCHW permutation of it that is pooled.
        { "swin.onnx", "/norm/Add_1_output_0", new(TargetLayout.Nhwc, 16, 4, 4) },
        // ConvNeXt's blocks work channels last, but the last stage's output is NCHW and pooled.
        { "convnext.onnx", "/features/features.3/features.3.0/Add_output_0", new(TargetLayout.Nchw, 16, 4, 4) },
    };

    [Theory]
    [MemberData(nameof(ExportedModels))]
    public void Default_layer_of_an_exported_transformer(string file, string expectedLayer, TargetGrid expectedGrid)
    {
        var path = Path.Combine(AppContext.BaseDirectory, "TestModels", "Exported", file);
        using var model = ExplainerModel.Load(ModelEntry.FromBareOnnx(path), Cpu);

        Assert.Equal(expectedLayer, model.DefaultTargetLayer);
        Assert.Equal(expectedGrid, model.GridOf(model.DefaultTargetLayer));
        Assert.Contains(expectedLayer, model.Classifier.CandidateTargetLayers());
    }
}

using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Tests.Models;

public sealed class ModelCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("catalog-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Repository_manifest_describes_the_shared_mobilenet()
    {
        var entry = ModelEntry.FromManifest(TestPaths.MobileNetManifest, TestPaths.ModelDirectory);

        Assert.Equal("mobilenet_v2_1.0_224", entry.Name);
        Assert.Equal(Path.GetFullPath(TestPaths.MobileNetOnnx), entry.OnnxPath);
        Assert.Equal((224, 224), (entry.InputWidth, entry.InputHeight));
        Assert.Equal(ResizePolicy.ShorterSideThenCenterCrop, entry.Manifest.Resize);
        Assert.Equal(256, entry.Manifest.EffectiveShorterSide);
        Assert.Equal(ChannelOrder.Rgb, entry.Manifest.ChannelOrder);
        Assert.Equal("input", entry.Manifest.InputName);
        Assert.Equal("MobilenetV2/Conv_1/Relu6", entry.DefaultLayer);
        Assert.Equal(1000, entry.ClassCount);
        Assert.Equal("tiger cat", entry.Labels[282]);
        Assert.StartsWith("bald eagle", entry.Labels[22]);
        // x = pixel / 127.5 − 1, as the model card says.
        Assert.Equal(127.5f, entry.Manifest.PixelScale);
        Assert.Equal([1f, 1f, 1f], entry.Manifest.Mean);
        Assert.Equal([1f, 1f, 1f], entry.Manifest.Std);
    }

    [Fact]
    public void Catalog_lists_manifests_and_bare_onnx_files_by_name()
    {
        var manifests = Directory.CreateDirectory(Path.Combine(_root, "manifests")).FullName;
        var models = Directory.CreateDirectory(Path.Combine(_root, "models")).FullName;
        File.WriteAllText(Path.Combine(models, "a.onnx"), "not parsed: the catalog opens no session");
        File.WriteAllText(Path.Combine(models, "zeta.onnx"), "");
        File.WriteAllLines(Path.Combine(models, "labels.txt"), ["cat", "dog", ""]);
        File.WriteAllText(Path.Combine(manifests, "first.json"), """
            { "name": "first", "onnx": "a.onnx", "inputWidth": 160, "inputHeight": 128, "labels": "labels.txt",
              "resize": "squash", "channelOrder": "BGR", "targetLayer": "layer4" }
            """);
        File.WriteAllText(Path.Combine(manifests, "broken.json"), "{ \"name\": ");
        File.WriteAllText(Path.Combine(manifests, "missing.json"), """{ "onnx": "nowhere.onnx" }""");

        var catalog = ModelCatalog.Load(manifests, models, defaultName: "zeta");

        Assert.Equal(["first", "zeta"], catalog.Models.Select(m => m.Name));
        Assert.Equal("zeta", catalog.Default.Name);
        var first = catalog.Get("first");
        Assert.Equal((160, 128, 2, "layer4"), (first.InputWidth, first.InputHeight, first.ClassCount, first.DefaultLayer));
        Assert.Equal(ChannelOrder.Bgr, first.Manifest.ChannelOrder);
        var bare = catalog.Get("zeta");
        Assert.Equal((224, 224, ResizePolicy.Squash), (bare.InputWidth, bare.InputHeight, bare.Manifest.Resize));
        Assert.Equal([0.485f, 0.456f, 0.406f], bare.Manifest.Mean);
        Assert.Empty(bare.Labels);
        Assert.Equal(2, catalog.Warnings.Count); // the broken manifest and the one naming a missing file
        Assert.Throws<KeyNotFoundException>(() => catalog.Get("nope"));
    }

    [Fact]
    public void Default_is_the_configured_name_when_present_else_the_first()
    {
        var models = Directory.CreateDirectory(Path.Combine(_root, "models")).FullName;
        File.WriteAllText(Path.Combine(models, "b.onnx"), "");

        var catalog = ModelCatalog.Load(null, models);

        Assert.Equal("b", catalog.DefaultName);
        Assert.Equal("b", catalog.Get("").Name);
    }

    [Fact]
    public void Onnx_path_uses_a_manifest_beside_it_or_torchvision_defaults()
    {
        var onnx = Path.Combine(_root, "net.onnx");
        File.WriteAllText(onnx, "");

        Assert.Equal(ResizePolicy.Squash, ModelEntry.FromFile(onnx).Manifest.Resize);

        File.WriteAllText(Path.Combine(_root, "net.json"), """{ "name": "netty", "onnx": "net.onnx", "resize": "shorter-side-then-center-crop" }""");
        var entry = ModelEntry.FromFile(onnx);
        Assert.Equal("netty", entry.Name);
        Assert.Equal(ResizePolicy.ShorterSideThenCenterCrop, entry.Manifest.Resize);
    }

    [Theory]
    [InlineData("""{ "onnx": "" }""", "\"onnx\" is missing")]
    [InlineData("""{ "onnx": "m.onnx", "mean": [0.5] }""", "\"mean\" and \"std\" need 3 values each")]
    [InlineData("""{ "onnx": "m.onnx", "resize": "stretch" }""", "is not valid")]
    [InlineData("""{ "onnx": "m.onnx", "std": [1, 0, 1] }""", "must not be 0")]
    [InlineData("""{ "onnx": "m.onnx", "targetLayout": "NHWC" }""", "is not valid")]
    [InlineData("""{ "onnx": "m.onnx", "prefixTokens": 1 }""", "\"prefixTokens\" needs \"targetLayout\": \"tokens\"")]
    [InlineData("""{ "onnx": "m.onnx", "targetLayout": "nhwc", "prefixTokens": 0 }""", "\"prefixTokens\" needs \"targetLayout\": \"tokens\"")]
    [InlineData("""{ "onnx": "m.onnx", "targetLayout": "tokens", "prefixTokens": -1 }""", "\"prefixTokens\" must not be negative")]
    public void Invalid_manifests_say_what_is_wrong(string json, string expected)
    {
        var error = Assert.Throws<UnsupportedModelException>(() => ModelManifest.Parse(json, "test.json"));

        Assert.Contains(expected, error.Message);
    }

    [Fact]
    public void Target_layout_and_prefix_tokens_are_read_from_the_manifest()
    {
        var tokens = ModelManifest.Parse("""{ "onnx": "vit.onnx", "targetLayout": "tokens", "prefixTokens": 5 }""", "vit.json");
        var nhwc = ModelManifest.Parse("""{ "onnx": "swin.onnx", "targetLayout": "nhwc" }""", "swin.json");
        var unstated = ModelManifest.Parse("""{ "onnx": "resnet.onnx" }""", "resnet.json");

        Assert.Equal((TargetLayout.Tokens, 5), (tokens.TargetLayout, tokens.PrefixTokens));
        Assert.Equal((TargetLayout.Nhwc, null), (nhwc.TargetLayout, nhwc.PrefixTokens));
        Assert.Equal((null, null), (unstated.TargetLayout, unstated.PrefixTokens));
    }
}

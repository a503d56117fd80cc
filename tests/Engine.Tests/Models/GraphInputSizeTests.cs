using Google.Protobuf;
using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Tests.Models;

public sealed class GraphInputSizeTests : IDisposable
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };
    private readonly string _root = Directory.CreateTempSubdirectory("input-size-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void A_bare_onnx_is_served_at_the_size_its_graph_fixes()
    {
        var path = Write("inception_like.onnx", Classifier(299, 299));

        var catalog = ModelCatalog.Load(manifestDirectory: null, _root);
        var entry = catalog.Get("inception_like");
        Assert.Equal((299, 299), (entry.InputWidth, entry.InputHeight));
        using var model = ExplainerModel.Load(ModelEntry.FromFile(path), Cpu);
        Assert.Equal((299, 299), (model.InputWidth, model.InputHeight));
    }

    [Fact]
    public void A_manifest_that_contradicts_the_graph_is_refused()
    {
        Write("inception_like.onnx", Classifier(299, 299));
        var manifest = Path.Combine(_root, "inception_like.json");
        File.WriteAllText(manifest, """{ "onnx": "inception_like.onnx", "inputWidth": 224, "inputHeight": 224 }""");

        var e = Assert.Throws<UnsupportedModelException>(() => ExplainerModel.Load(ModelEntry.FromManifest(manifest, null), Cpu));
        Assert.Equal("model inception_like: the manifest says 224x224, the graph takes 299x299", e.Message);
    }

    [Fact]
    public void The_size_is_read_without_the_weights_also_when_initializers_are_listed_as_inputs()
    {
        // IR version 3 lists every initializer among the graph inputs; the image is the one that is none.
        var model = ModelProto.Parser.ParseFrom(Classifier(128, 160));
        model.IrVersion = 3;
        foreach (var initializer in model.Graph.Initializer.Reverse())
        {
            var info = new ValueInfoProto { Name = initializer.Name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = initializer.DataType, Shape = new TensorShapeProto() } } };
            info.Type.TensorType.Shape.Dim.AddRange(initializer.Dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
            model.Graph.Input.Insert(0, info);
        }

        var path = Write("listed.onnx", model.ToByteArray());

        Assert.Equal((128, 160), OnnxInputPeek.InputSize(path));
        Assert.Equal((160, 128), (ModelEntry.FromBareOnnx(path).InputWidth, ModelEntry.FromBareOnnx(path).InputHeight));
    }

    [Theory]
    [InlineData("not a model")]
    [InlineData("")]
    public void A_file_that_is_no_model_keeps_the_default_size_until_loading_says_why(string content)
    {
        var path = Path.Combine(_root, "broken.onnx");
        File.WriteAllText(path, content);

        Assert.Null(OnnxInputPeek.InputSize(path));
        var entry = ModelEntry.FromBareOnnx(path);
        Assert.Equal((224, 224), (entry.InputWidth, entry.InputHeight));
    }

    /// <summary>Conv 1×1 → ReLU → pooled head at a fixed H×W.</summary>
    private static byte[] Classifier(int height, int width)
    {
        var m = new OnnxModelBuilder(seed: 140);
        var x = m.Input("image", [3, height, width]);
        var features = m.Node("Relu", [m.Conv(x, 3, 4, 1)]);
        m.Output(m.PooledHead(features, 4, height * width, 3));
        return m.Build();
    }

    private string Write(string name, byte[] bytes)
    {
        var path = Path.Combine(_root, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }
}

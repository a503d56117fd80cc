using Google.Protobuf;
using Microsoft.Extensions.Configuration;
using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.ExplainerWorker;

namespace SaliencySlider.Service.Tests.Reliability;

public sealed class ModelLoadRefusalTests
{
    /// <summary>image [1,3,8,8] → Conv → Relu (the default layer) → GlobalAveragePool → Flatten → Sin → Gemm → logits.</summary>
    private static byte[] ModelWithSinInTheHead()
    {
        var graph = new GraphProto { Name = "sin_head" };
        graph.Input.Add(Tensor("image", [1, 3, 8, 8]));
        graph.Output.Add(Tensor("logits", [1, 5]));
        graph.Initializer.Add(Floats("conv_w", [4, 3, 3, 3]));
        graph.Initializer.Add(Floats("fc_w", [4, 5]));
        graph.Node.Add(Node("Conv", "conv", ["image", "conv_w"], "conv_out", new AttributeProto { Name = "pads", Type = AttributeProto.Types.AttributeType.Ints, Ints = { 1, 1, 1, 1 } }));
        graph.Node.Add(Node("Relu", "relu", ["conv_out"], "features"));
        graph.Node.Add(Node("GlobalAveragePool", "pool", ["features"], "pooled"));
        graph.Node.Add(Node("Flatten", "flatten", ["pooled"], "flat"));
        graph.Node.Add(Node("Sin", "head/sin", ["flat"], "waved"));
        graph.Node.Add(Node("Gemm", "fc", ["waved", "fc_w"], "logits"));
        var model = new ModelProto { IrVersion = 8, Graph = graph, ProducerName = "ModelLoadRefusalTests" };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return model.ToByteArray();
    }

    private static ValueInfoProto Tensor(string name, long[] dims)
    {
        var type = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = new TensorShapeProto() };
        type.Shape.Dim.AddRange(dims.Select(d => new TensorShapeProto.Types.Dimension { DimValue = d }));
        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = type } };
    }

    private static TensorProto Floats(string name, long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        tensor.FloatData.AddRange(Enumerable.Range(0, count).Select(i => (float)Math.Sin(i) * 0.5f));
        return tensor;
    }

    private static NodeProto Node(string op, string name, string[] inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = op, Name = name, Output = { output } };
        node.Input.AddRange(inputs);
        node.Attribute.AddRange(attributes);
        return node;
    }

    [Fact]
    public void A_worker_refuses_at_start_a_model_whose_default_layer_reaches_the_logits_through_an_unsupported_operator()
    {
        var models = Directory.CreateTempSubdirectory("saliency-models-");
        var manifests = Directory.CreateTempSubdirectory("saliency-manifests-");
        try
        {
            File.WriteAllBytes(Path.Combine(models.FullName, "sin_head.onnx"), ModelWithSinInTheHead());

            var refused = Assert.Throws<UnsupportedModelException>(() => WorkerApplication.Build([], configuration => configuration.AddInMemoryCollection(
            [
                new("Models:Directory", models.FullName),
                new("Models:ManifestDirectory", manifests.FullName),
                new("Models:Default", "sin_head"),
                new("Worker:ExecutionProvider", "Cpu"),
                new("Worker:MetricsPort", "0"),
            ])));

            Assert.Contains("model 'sin_head'", refused.Message);
            Assert.Contains("Sin", refused.Message);
            Assert.Contains("head/sin", refused.Message);
        }
        finally
        {
            models.Delete(recursive: true);
            manifests.Delete(recursive: true);
        }
    }
}

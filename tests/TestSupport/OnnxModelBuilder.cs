using Google.Protobuf;
using Onnx;
using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.TestSupport;

/// <summary>Builds small ONNX classifiers with deterministic random weights for tests.</summary>
internal sealed class OnnxModelBuilder
{
    private readonly GraphProto graph = new() { Name = "test" };
    private readonly Random random;
    private readonly int opset;
    private int counter;

    public OnnxModelBuilder(int seed, int opset = 13)
    {
        random = new Random(seed);
        this.opset = opset;
    }

    /// <summary>A float input [batch, ...shape]; batch is symbolic unless <paramref name="fixedBatch"/> is given.</summary>
    public string Input(string name, long[] shape, long? fixedBatch = null)
    {
        var dims = new TensorShapeProto();
        dims.Dim.Add(fixedBatch is { } b ? new TensorShapeProto.Types.Dimension { DimValue = b } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        foreach (var d in shape)
        {
            dims.Dim.Add(new TensorShapeProto.Types.Dimension { DimValue = d });
        }

        graph.Input.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = dims } },
        });
        return name;
    }

    /// <summary>Random weights, uniform in ±scale (by default 1/√(fan-in) over all but the first dimension).</summary>
    public string Weight(long[] dims, float? scale = null)
    {
        var count = (int)dims.Aggregate(1L, (a, b) => a * b);
        var fanIn = dims.Length > 1 ? dims.Skip(1).Aggregate(1L, (a, b) => a * b) : 1;
        var range = scale ?? (float)(1.5 / Math.Sqrt(fanIn));
        var values = new float[count];
        for (var i = 0; i < count; i++)
        {
            values[i] = (float)(((random.NextDouble() * 2) - 1) * range);
        }

        return Floats(values, dims);
    }

    /// <summary>Random values in [low, high) (e.g. positive variances).</summary>
    public string Uniform(long[] dims, float low, float high)
    {
        var values = new float[(int)dims.Aggregate(1L, (a, b) => a * b)];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = low + ((float)random.NextDouble() * (high - low));
        }

        return Floats(values, dims);
    }

    public string Floats(float[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = $"w{counter++}", DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        tensor.FloatData.AddRange(values);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Ints(params long[] values)
    {
        var tensor = new TensorProto { Name = $"i{counter++}", DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.Add(values.Length);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Node(string opType, string[] inputs, params AttributeProto[] attributes)
        => Node(opType, inputs, 1, attributes)[0];

    public string[] Node(string opType, string[] inputs, int outputCount, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = $"{opType.ToLowerInvariant()}_{counter++}" };
        node.Input.AddRange(inputs);
        var outputs = Enumerable.Range(0, outputCount).Select(i => $"{node.Name}_out{i}").ToArray();
        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return outputs;
    }

    /// <summary>Conv with random weights and bias.</summary>
    public string Conv(string x, long inChannels, long outChannels, long kernel, params AttributeProto[] attributes)
    {
        var group = attributes.FirstOrDefault(a => a.Name == "group")?.I ?? 1;
        var w = Weight([outChannels, inChannels / group, kernel, kernel]);
        var b = Weight([outChannels], 0.3f);
        return Node("Conv", [x, w, b], attributes);
    }

    /// <summary>A 3×3 Conv with padding 1 from the image: a spatially varied activation to differentiate against.</summary>
    public string Stem(string x, long inChannels, long outChannels)
        => Conv(x, inChannels, outChannels, 3, Attr.Ints("pads", [1, 1, 1, 1]));

    /// <summary>Flatten → Gemm(transB) to <paramref name="classes"/> logits; every element of x reaches every logit.</summary>
    public string ClassifierHead(string x, long features, long classes)
        => Dense(Node("Flatten", [x], Attr.Int("axis", 1)), features, classes);

    /// <summary>GlobalAveragePool → Flatten → Gemm(transB), weights scaled by the pooled area so gradients stay sizeable.</summary>
    public string PooledHead(string x, long channels, long area, long classes)
    {
        var pooled = Node("GlobalAveragePool", [x]);
        var flat = Node("Flatten", [pooled], Attr.Int("axis", 1));
        return Node("Gemm", [flat, Weight([classes, channels], area / 2f), Weight([classes], 0.3f)], Attr.Int("transB", 1));
    }

    public string Dense(string x, long features, long classes)
        => Node("Gemm", [x, Weight([classes, features], 0.8f), Weight([classes], 0.3f)], Attr.Int("transB", 1));

    /// <summary>The name of the node that computes <paramref name="tensor"/>.</summary>
    public string NodeNameOf(string tensor) => graph.Node.Single(n => n.Output.Contains(tensor)).Name;

    public void Output(string name)
        => graph.Output.Add(new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });

    /// <summary>Reverses the node list (exporters are supposed to, but do not always, emit nodes in order).</summary>
    public void ReverseNodeOrder()
    {
        var nodes = graph.Node.Reverse().ToList();
        graph.Node.Clear();
        graph.Node.AddRange(nodes);
    }

    public byte[] Build()
    {
        var model = new ModelProto { IrVersion = 8, ProducerName = "saliency-tests", Graph = graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = opset });
        return model.ToByteArray();
    }
}

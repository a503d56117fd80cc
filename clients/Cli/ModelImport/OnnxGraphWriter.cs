using System.Buffers.Binary;
using Google.Protobuf;
using Onnx;

namespace SaliencySlider.Cli.ModelImport;

/// <summary>Appends nodes and initializers to an ONNX graph, keeping every value name and node name unique.</summary>
internal sealed class OnnxGraphWriter
{
    private readonly HashSet<string> _valueNames = new(StringComparer.Ordinal);
    private readonly HashSet<string> _nodeNames = new(StringComparer.Ordinal);

    public GraphProto Graph { get; } = new();

    /// <summary>Marks a name as taken before anything uses it (e.g. the graph output's fixed name).</summary>
    public void Reserve(string name) => _valueNames.Add(name);

    /// <summary>The name itself if free, else the first free <c>name_1</c>, <c>name_2</c>, …</summary>
    public string UniqueValueName(string name) => Unique(_valueNames, name);

    public string UniqueNodeName(string name) => Unique(_nodeNames, name);

    public void AddInput(string name, long?[] dims)
    {
        Graph.Input.Add(ValueInfo(name, dims));
    }

    public void AddOutput(string name, long?[] dims)
    {
        Graph.Output.Add(ValueInfo(name, dims));
    }

    public NodeProto AddNode(string opType, string nodeName, IEnumerable<string> inputs, string output, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = UniqueNodeName(nodeName) };
        node.Input.AddRange(inputs);
        node.Output.Add(output);
        node.Attribute.AddRange(attributes);
        Graph.Node.Add(node);
        return node;
    }

    public string AddFloats(string name, float[] values, params long[] dims)
    {
        var raw = new byte[values.Length * sizeof(float)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(raw.AsSpan(i * sizeof(float)), values[i]);
        }
        return AddInitializer(name, TensorProto.Types.DataType.Float, raw, dims);
    }

    public string AddInt64s(string name, long[] values, params long[] dims)
    {
        var raw = new byte[values.Length * sizeof(long)];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt64LittleEndian(raw.AsSpan(i * sizeof(long)), values[i]);
        }
        return AddInitializer(name, TensorProto.Types.DataType.Int64, raw, dims);
    }

    private string AddInitializer(string name, TensorProto.Types.DataType type, byte[] raw, long[] dims)
    {
        var tensor = new TensorProto { Name = UniqueValueName(name), DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.AddRange(dims);
        Graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    private static ValueInfoProto ValueInfo(string name, long?[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (var dim in dims)
        {
            shape.Dim.Add(dim is { } value ? new TensorShapeProto.Types.Dimension { DimValue = value } : new TensorShapeProto.Types.Dimension { DimParam = "N" });
        }
        return new ValueInfoProto
        {
            Name = name,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float, Shape = shape } },
        };
    }

    private static string Unique(HashSet<string> taken, string name)
    {
        var candidate = name;
        for (var i = 1; !taken.Add(candidate); i++)
        {
            candidate = $"{name}_{i}";
        }
        return candidate;
    }
}

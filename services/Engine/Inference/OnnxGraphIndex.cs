using System.Buffers.Binary;
using Onnx;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Inference;

/// <summary>Lookups over one ONNX graph: producers, consumers, initializers and constant values.</summary>
internal sealed class OnnxGraphIndex
{
    private readonly Dictionary<string, NodeProto> producers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, List<NodeProto>> consumers = new(StringComparer.Ordinal);
    private readonly Dictionary<string, TensorProto> initializers = new(StringComparer.Ordinal);
    private readonly Dictionary<NodeProto, int> nodeOrder = new(ReferenceEqualityComparer.Instance);

    public OnnxGraphIndex(GraphProto graph)
    {
        Graph = graph;
        foreach (var initializer in graph.Initializer)
        {
            initializers[initializer.Name] = initializer;
        }

        for (var i = 0; i < graph.Node.Count; i++)
        {
            var node = graph.Node[i];
            nodeOrder[node] = i;
            foreach (var output in node.Output)
            {
                if (output.Length > 0)
                {
                    producers[output] = node;
                }
            }

            foreach (var input in node.Input)
            {
                if (input.Length == 0)
                {
                    continue;
                }

                if (!consumers.TryGetValue(input, out var list))
                {
                    list = [];
                    consumers[input] = list;
                }

                list.Add(node);
            }
        }
    }

    public GraphProto Graph { get; }

    public NodeProto? Producer(string tensor) => producers.GetValueOrDefault(tensor);

    public IReadOnlyList<NodeProto> Consumers(string tensor)
        => consumers.TryGetValue(tensor, out var list) ? list : [];

    public int Order(NodeProto node) => nodeOrder[node];

    public bool IsInitializer(string tensor) => initializers.ContainsKey(tensor);

    /// <summary>Whether a node computes the tensor, or it is an initializer or a graph input.</summary>
    public bool IsTensor(string name) => Producer(name) is not null || IsInitializer(name) || Graph.Input.Any(i => i.Name == name);

    public TensorProto? Initializer(string tensor) => initializers.GetValueOrDefault(tensor);

    /// <summary>Tensors computed by nodes, in node order.</summary>
    public IEnumerable<string> NodeOutputs()
        => Graph.Node.SelectMany(node => node.Output).Where(output => output.Length > 0);

    /// <summary>The value of a constant tensor (an initializer or a Constant node's output), or null.</summary>
    public TensorProto? ConstantTensor(string tensor)
    {
        if (initializers.TryGetValue(tensor, out var initializer))
        {
            return initializer;
        }

        var producer = Producer(tensor);
        if (producer is { OpType: "Constant" })
        {
            var value = producer.Attribute.FirstOrDefault(a => a.Name == "value");
            if (value?.T is not null)
            {
                return value.T;
            }

            var ints = producer.Attribute.FirstOrDefault(a => a.Name is "value_ints" or "value_int");
            if (ints is not null)
            {
                var tensorProto = new TensorProto { DataType = (int)TensorProto.Types.DataType.Int64 };
                if (ints.Name == "value_int")
                {
                    tensorProto.Int64Data.Add(ints.I);
                }
                else
                {
                    tensorProto.Dims.Add(ints.Ints.Count);
                    tensorProto.Int64Data.AddRange(ints.Ints);
                }

                return tensorProto;
            }
        }

        return null;
    }

    public long[]? ConstantInts(string tensor)
    {
        var proto = ConstantTensor(tensor);
        return proto is null ? null : TensorProtoValues.ReadInts(proto);
    }

    /// <summary>Every tensor computed from <paramref name="start"/> through nodes, in node order (start included).</summary>
    public HashSet<string> DownstreamOf(string start, Func<string, bool>? carries = null)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { start };
        foreach (var node in Graph.Node)
        {
            if (!node.Input.Any(reached.Contains))
            {
                continue;
            }

            foreach (var output in node.Output)
            {
                if (output.Length > 0 && (carries is null || carries(output)))
                {
                    reached.Add(output);
                }
            }
        }

        return reached;
    }

    /// <summary>Every tensor <paramref name="end"/> is computed from (end included).</summary>
    public HashSet<string> UpstreamOf(string end)
    {
        var reached = new HashSet<string>(StringComparer.Ordinal) { end };
        for (var i = Graph.Node.Count - 1; i >= 0; i--)
        {
            var node = Graph.Node[i];
            if (!node.Output.Any(reached.Contains))
            {
                continue;
            }

            foreach (var input in node.Input)
            {
                if (input.Length > 0)
                {
                    reached.Add(input);
                }
            }
        }

        return reached;
    }

    public static string Describe(NodeProto node)
        => node.Name.Length > 0 ? node.Name : $"<unnamed, output {node.Output.FirstOrDefault()}>";
}

/// <summary>Reads the numbers stored in a TensorProto, whichever field holds them.</summary>
internal static class TensorProtoValues
{
    public static long[] ReadInts(TensorProto tensor)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        if (type == TensorProto.Types.DataType.Int64)
        {
            return tensor.RawData.Length > 0
                ? ReadRaw(tensor.RawData.Span, 8, span => BinaryPrimitives.ReadInt64LittleEndian(span))
                : [.. tensor.Int64Data];
        }

        if (type == TensorProto.Types.DataType.Int32)
        {
            return tensor.RawData.Length > 0
                ? ReadRaw(tensor.RawData.Span, 4, span => (long)BinaryPrimitives.ReadInt32LittleEndian(span))
                : [.. tensor.Int32Data.Select(v => (long)v)];
        }

        throw new UnsupportedModelException($"Tensor '{tensor.Name}' holds {type}, expected integers.");
    }

    public static float[] ReadFloats(TensorProto tensor)
    {
        var type = (TensorProto.Types.DataType)tensor.DataType;
        if (type != TensorProto.Types.DataType.Float)
        {
            throw new UnsupportedModelException($"Tensor '{tensor.Name}' holds {type}, expected float32.");
        }

        return tensor.RawData.Length > 0
            ? ReadRaw(tensor.RawData.Span, 4, span => BinaryPrimitives.ReadSingleLittleEndian(span))
            : [.. tensor.FloatData];
    }

    private delegate T SpanReader<out T>(ReadOnlySpan<byte> span);

    private static T[] ReadRaw<T>(ReadOnlySpan<byte> raw, int size, SpanReader<T> read)
    {
        var values = new T[raw.Length / size];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = read(raw.Slice(i * size, size));
        }

        return values;
    }
}

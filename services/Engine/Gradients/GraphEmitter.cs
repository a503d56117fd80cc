using Google.Protobuf;
using Onnx;

namespace SaliencySlider.Engine.Gradients;

/// <summary>Appends nodes and initializers with unique generated names to a graph.</summary>
internal sealed class GraphEmitter(GraphProto graph, string prefix)
{
    private readonly HashSet<string> taken = [.. graph.Node.SelectMany(n => n.Output), .. graph.Initializer.Select(i => i.Name), .. graph.Input.Select(i => i.Name)];
    private int counter;

    public GraphProto Graph => graph;

    public string NewName(string hint)
    {
        string name;
        do
        {
            name = $"{prefix}{hint}_{counter++}";
        }
        while (!taken.Add(name));

        return name;
    }

    public string Node(string opType, IEnumerable<string> inputs, params AttributeProto[] attributes)
        => Node(opType, inputs, 1, attributes)[0];

    public string[] Node(string opType, IEnumerable<string> inputs, int outputCount, params AttributeProto[] attributes)
    {
        var node = new NodeProto { OpType = opType, Name = NewName(opType + "_node") };
        node.Input.AddRange(inputs);
        var outputs = new string[outputCount];
        for (var i = 0; i < outputCount; i++)
        {
            outputs[i] = NewName(opType);
        }

        node.Output.AddRange(outputs);
        node.Attribute.AddRange(attributes);
        graph.Node.Add(node);
        return outputs;
    }

    public string Ints(params long[] values) => Ints(values, [values.Length]);

    public string ScalarInt(long value) => Ints([value], []);

    public string Ints(long[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = NewName("const_i64"), DataType = (int)TensorProto.Types.DataType.Int64 };
        tensor.Dims.AddRange(dims);
        tensor.Int64Data.AddRange(values);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string ScalarFloat(float value) => Floats([value], []);

    public string Floats(float[] values, long[] dims)
    {
        var tensor = new TensorProto { Name = NewName("const_f32"), DataType = (int)TensorProto.Types.DataType.Float };
        tensor.Dims.AddRange(dims);
        var bytes = new byte[values.Length * sizeof(float)];
        Buffer.BlockCopy(values, 0, bytes, 0, bytes.Length);
        tensor.RawData = ByteString.CopyFrom(bytes);
        graph.Initializer.Add(tensor);
        return tensor.Name;
    }

    public string Mul(string a, string b) => Node("Mul", [a, b]);

    public string Add(string a, string b) => Node("Add", [a, b]);

    public string Sub(string a, string b) => Node("Sub", [a, b]);

    public string Div(string a, string b) => Node("Div", [a, b]);

    public string Neg(string a) => Node("Neg", [a]);

    public string Shape(string a) => Node("Shape", [a]);

    public string Reshape(string a, string shape) => Node("Reshape", [a, shape]);

    public string ReshapeLike(string a, string like) => Reshape(a, Shape(like));

    /// <summary>g where the condition holds, zero elsewhere.</summary>
    public string Mask(string condition, string g) => Node("Where", [condition, g, ScalarFloat(0f)]);

    public string Transpose(string a, long[] perm) => Node("Transpose", [a], Attr.Ints("perm", perm));

    public string ReduceSum(string a, long[] axes, bool keepDims)
        => Node("ReduceSum", [a, Ints(axes)], Attr.Int("keepdims", keepDims ? 1 : 0));

    public string Sum(IReadOnlyList<string> terms)
    {
        if (terms.Count == 1)
        {
            return terms[0];
        }

        return terms.Count == 2 ? Add(terms[0], terms[1]) : Node("Sum", terms);
    }
}

/// <summary>Builds and reads ONNX node attributes (also used by the CLI's TFLite importer).</summary>
public static class Attr
{
    public static AttributeProto Int(string name, long value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = value };

    public static AttributeProto Float(string name, float value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = value };

    public static AttributeProto String(string name, string value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(value) };

    public static AttributeProto Ints(string name, params IEnumerable<long> values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.AddRange(values);
        return attribute;
    }

    public static AttributeProto Tensor(string name, TensorProto value)
        => new() { Name = name, Type = AttributeProto.Types.AttributeType.Tensor, T = value };

    public static long? GetInt(NodeProto node, string name)
        => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.I : null;

    public static float? GetFloat(NodeProto node, string name)
        => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.F : null;

    public static string? GetString(NodeProto node, string name)
        => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? a.S.ToStringUtf8() : null;

    public static long[]? GetInts(NodeProto node, string name)
        => node.Attribute.FirstOrDefault(a => a.Name == name) is { } a ? [.. a.Ints] : null;
}

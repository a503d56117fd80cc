using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Onnx;

namespace SaliencySlider.Cli.ModelImport;

/// <summary>
/// A SHA-256 over what an ONNX model computes, not how it is written down: it ignores every value and node name, the
/// graph name, doc strings, producer, metadata, value_info, the order of initializers and how protobuf encodes things
/// (raw_data vs typed fields, field order), so two tools' conversions of the same network get the same fingerprint.
/// <para>Hashed, in this order (integers little-endian int64, strings as their UTF-8 length then bytes):</para>
/// <list type="number">
/// <item>"inputs", the count of graph inputs that are not initializers, then for each: element type, rank, and each dim
/// as its value or "?" for a symbolic or unknown one;</item>
/// <item>"nodes", the node count, then for each node in graph order: op type, domain, output count, attributes sorted
/// by name (name, type, value: int, float bits, bytes, lists of those, or a tensor encoded as below), then its inputs,
/// each one of: "" for an omitted optional input; ("input", graph input index); ("node", producing node index, output
/// index); ("const", data type, dims, every value's little-endian bytes) for an initializer;</item>
/// <item>"outputs", the count, then for each graph output: its producer reference as above, element type and dims.</item>
/// </list>
/// Initializers are hashed by value wherever they are used; unused initializers do not count.
/// </summary>
public static class ModelFingerprint
{
    public static string Compute(ModelProto model)
    {
        var graph = model.Graph ?? throw new InvalidDataException("the ONNX model has no graph");
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var writer = new CanonicalWriter(hash);
        var initializers = new Dictionary<string, TensorProto>(StringComparer.Ordinal);
        foreach (var tensor in graph.Initializer)
        {
            initializers[tensor.Name] = tensor;
        }
        var producers = new Dictionary<string, (string Kind, long Index, long Output)>(StringComparer.Ordinal);

        var inputs = graph.Input.Where(i => !initializers.ContainsKey(i.Name)).ToList();
        writer.String("inputs");
        writer.Int(inputs.Count);
        for (var i = 0; i < inputs.Count; i++)
        {
            WriteType(writer, inputs[i]);
            producers[inputs[i].Name] = ("input", i, 0);
        }

        writer.String("nodes");
        writer.Int(graph.Node.Count);
        for (var n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            writer.String(node.OpType);
            writer.String(node.Domain);
            writer.Int(node.Output.Count);
            var attributes = node.Attribute.OrderBy(a => a.Name, StringComparer.Ordinal).ToList();
            writer.Int(attributes.Count);
            foreach (var attribute in attributes)
            {
                WriteAttribute(writer, attribute);
            }
            writer.Int(node.Input.Count);
            foreach (var input in node.Input)
            {
                WriteReference(writer, input, producers, initializers, node.Name);
            }
            for (var o = 0; o < node.Output.Count; o++)
            {
                if (node.Output[o].Length > 0)
                {
                    producers[node.Output[o]] = ("node", n, o);
                }
            }
        }

        writer.String("outputs");
        writer.Int(graph.Output.Count);
        foreach (var output in graph.Output)
        {
            WriteReference(writer, output.Name, producers, initializers, "graph output");
            WriteType(writer, output);
        }
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    private static void WriteReference(CanonicalWriter writer, string name, Dictionary<string, (string Kind, long Index, long Output)> producers,
        Dictionary<string, TensorProto> initializers, string user)
    {
        if (name.Length == 0)
        {
            writer.String("");
        }
        else if (producers.TryGetValue(name, out var producer))
        {
            writer.String(producer.Kind);
            writer.Int(producer.Index);
            if (producer.Kind == "node")
            {
                writer.Int(producer.Output);
            }
        }
        else if (initializers.TryGetValue(name, out var tensor))
        {
            writer.String("const");
            WriteTensor(writer, tensor);
        }
        else
        {
            throw new InvalidDataException($"{user} uses {name}, which no graph input, initializer or earlier node provides");
        }
    }

    private static void WriteType(CanonicalWriter writer, ValueInfoProto value)
    {
        var tensor = value.Type?.TensorType ?? throw new InvalidDataException($"{value.Name} is not a tensor");
        writer.Int(tensor.ElemType);
        var dims = tensor.Shape?.Dim;
        writer.Int(dims?.Count ?? -1);
        foreach (var dim in dims ?? [])
        {
            if (dim.ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue)
            {
                writer.String(dim.DimValue.ToString(System.Globalization.CultureInfo.InvariantCulture));
            }
            else
            {
                writer.String("?");
            }
        }
    }

    private static void WriteAttribute(CanonicalWriter writer, AttributeProto attribute)
    {
        writer.String(attribute.Name);
        writer.Int((long)attribute.Type);
        switch (attribute.Type)
        {
            case AttributeProto.Types.AttributeType.Int:
                writer.Int(attribute.I);
                break;
            case AttributeProto.Types.AttributeType.Float:
                writer.Int(BitConverter.SingleToInt32Bits(attribute.F));
                break;
            case AttributeProto.Types.AttributeType.String:
                writer.Bytes(attribute.S.Span);
                break;
            case AttributeProto.Types.AttributeType.Ints:
                writer.Int(attribute.Ints.Count);
                foreach (var value in attribute.Ints)
                {
                    writer.Int(value);
                }
                break;
            case AttributeProto.Types.AttributeType.Floats:
                writer.Int(attribute.Floats.Count);
                foreach (var value in attribute.Floats)
                {
                    writer.Int(BitConverter.SingleToInt32Bits(value));
                }
                break;
            case AttributeProto.Types.AttributeType.Strings:
                writer.Int(attribute.Strings.Count);
                foreach (var value in attribute.Strings)
                {
                    writer.Bytes(value.Span);
                }
                break;
            case AttributeProto.Types.AttributeType.Tensor:
                WriteTensor(writer, attribute.T);
                break;
            default:
                throw new InvalidDataException($"attribute {attribute.Name} of type {attribute.Type} cannot be fingerprinted");
        }
    }

    private static void WriteTensor(CanonicalWriter writer, TensorProto tensor)
    {
        writer.Int(tensor.DataType);
        writer.Int(tensor.Dims.Count);
        foreach (var dim in tensor.Dims)
        {
            writer.Int(dim);
        }
        writer.Bytes(LittleEndianValues(tensor));
    }

    /// <summary>The tensor's values as little-endian bytes of its element type, whichever protobuf field holds them.</summary>
    private static byte[] LittleEndianValues(TensorProto tensor)
    {
        if (tensor.DataLocation == TensorProto.Types.DataLocation.External)
        {
            throw new InvalidDataException($"initializer {tensor.Name} keeps its data in an external file, which cannot be fingerprinted");
        }
        var count = tensor.Dims.Aggregate(1L, (a, b) => a * b);
        var type = (TensorProto.Types.DataType)tensor.DataType;
        var size = type switch
        {
            TensorProto.Types.DataType.Float or TensorProto.Types.DataType.Int32 or TensorProto.Types.DataType.Uint32 => 4,
            TensorProto.Types.DataType.Double or TensorProto.Types.DataType.Int64 or TensorProto.Types.DataType.Uint64 => 8,
            TensorProto.Types.DataType.Int16 or TensorProto.Types.DataType.Uint16 or TensorProto.Types.DataType.Float16 or TensorProto.Types.DataType.Bfloat16 => 2,
            TensorProto.Types.DataType.Int8 or TensorProto.Types.DataType.Uint8 or TensorProto.Types.DataType.Bool => 1,
            _ => throw new InvalidDataException($"initializer {tensor.Name} has data type {type}, which cannot be fingerprinted"),
        };
        var bytes = new byte[checked(count * size)];
        if (!tensor.RawData.IsEmpty)
        {
            if (tensor.RawData.Length != bytes.Length)
            {
                throw new InvalidDataException($"initializer {tensor.Name} has {tensor.RawData.Length} bytes of raw data for {count} values of {type}");
            }
            return tensor.RawData.ToByteArray();
        }
        int written = type switch
        {
            TensorProto.Types.DataType.Float => Write(tensor.FloatData, (s, v) => BinaryPrimitives.WriteSingleLittleEndian(s, v)),
            TensorProto.Types.DataType.Double => Write(tensor.DoubleData, (s, v) => BinaryPrimitives.WriteDoubleLittleEndian(s, v)),
            TensorProto.Types.DataType.Int64 => Write(tensor.Int64Data, (s, v) => BinaryPrimitives.WriteInt64LittleEndian(s, v)),
            TensorProto.Types.DataType.Uint32 or TensorProto.Types.DataType.Uint64 => Write(tensor.Uint64Data, (s, v) =>
            {
                if (size == 4)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(s, (uint)v);
                }
                else
                {
                    BinaryPrimitives.WriteUInt64LittleEndian(s, v);
                }
            }),
            // int32_data holds every narrower integer type, and the bit patterns of float16/bfloat16.
            _ => Write(tensor.Int32Data, (s, v) =>
            {
                switch (size)
                {
                    case 4:
                        BinaryPrimitives.WriteInt32LittleEndian(s, v);
                        break;
                    case 2:
                        BinaryPrimitives.WriteUInt16LittleEndian(s, (ushort)v);
                        break;
                    default:
                        s[0] = (byte)v;
                        break;
                }
            }),
        };
        if (written != count)
        {
            throw new InvalidDataException($"initializer {tensor.Name} has {written} values for dims [{string.Join(", ", tensor.Dims)}]");
        }
        return bytes;

        int Write<T>(IReadOnlyList<T> values, SpanAction<T> write)
        {
            for (var i = 0; i < values.Count && i < count; i++)
            {
                write(bytes.AsSpan(i * size, size), values[i]);
            }
            return values.Count;
        }
    }

    private delegate void SpanAction<in T>(Span<byte> destination, T value);

    private sealed class CanonicalWriter(IncrementalHash hash)
    {
        private readonly byte[] _scratch = new byte[8];

        public void Int(long value)
        {
            BinaryPrimitives.WriteInt64LittleEndian(_scratch, value);
            hash.AppendData(_scratch);
        }

        public void String(string value) => Bytes(Encoding.UTF8.GetBytes(value));

        public void Bytes(ReadOnlySpan<byte> value)
        {
            Int(value.Length);
            hash.AppendData(value);
        }
    }
}

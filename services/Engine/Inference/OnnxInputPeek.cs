using System.Text;
using Google.Protobuf;
using Onnx;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Inference;

/// <summary>
/// Reads an .onnx file without parsing its weights: the protobuf fields of the graph are walked and every
/// initializer is skipped but for its name, element type and dimensions (small integer tensors, the shapes,
/// axes and bounds operators read, are kept whole).
/// </summary>
internal static class OnnxInputPeek
{
    /// <summary>Integer initializers up to this many bytes are kept with their values (Slice bounds, Reduce axes, Reshape shapes).</summary>
    public const int KeptIntegerBytes = 4096;

    private const int ModelIrVersion = 1;
    private const int ModelGraph = 7;
    private const int ModelOpsetImport = 8;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
    private const int TensorDims = 1;
    private const int TensorDataType = 2;
    private const int TensorName = 8;

    /// <summary>(height, width) of the graph's image input; null when the file is no ONNX model this engine can load.</summary>
    public static (int Height, int Width)? InputSize(string onnxPath)
    {
        try
        {
            using var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
            var (inputs, initializers) = ReadGraphInputs(stream);
            var input = OnnxModelLoader.ImageInput(inputs, initializers);
            var dims = input.Type.TensorType.Shape.Dim;
            return ((int)dims[2].DimValue, (int)dims[3].DimValue);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or InvalidProtocolBufferException or UnsupportedModelException)
        {
            return null;
        }
    }

    /// <summary>
    /// The model's IR version, opsets and graph: its nodes, inputs and outputs, and its initializers with their
    /// name, element type and dimensions only, but for integer ones of up to <see cref="KeptIntegerBytes"/>.
    /// </summary>
    public static ModelProto ModelStructure(Stream stream)
    {
        var structure = new ModelProto { Graph = new GraphProto() };
        var graph = structure.Graph;
        VisitModelFields(stream, (field, wireType, reader) =>
        {
            switch (field)
            {
                case ModelIrVersion when wireType == 0:
                    structure.IrVersion = (long)reader.ReadVarint();
                    return true;
                case ModelOpsetImport when wireType == WireReader.LengthDelimited:
                    structure.OpsetImport.Add(OperatorSetIdProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                default:
                    return false;
            }
        }, (field, reader) =>
        {
            switch (field)
            {
                case GraphNode:
                    graph.Node.Add(NodeProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphInput:
                    graph.Input.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphOutput:
                    graph.Output.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphInitializer:
                    graph.Initializer.Add(ReadInitializer(stream, reader));
                    return true;
                default:
                    return false;
            }
        });
        return structure;
    }

    private static (List<ValueInfoProto> Inputs, HashSet<string> Initializers) ReadGraphInputs(Stream stream)
    {
        var inputs = new List<ValueInfoProto>();
        var initializers = new HashSet<string>(StringComparer.Ordinal);
        VisitGraphFields(stream, (field, reader) =>
        {
            switch (field)
            {
                case GraphInput:
                    inputs.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphInitializer:
                    initializers.Add(ReadTensorName(reader, reader.ReadLength()));
                    return true;
                default:
                    return false;
            }
        });
        return (inputs, initializers);
    }

    /// <summary>Calls <paramref name="read"/> for each length-delimited field of the model's graph; a field it does not read (false) is skipped.</summary>
    private static void VisitGraphFields(Stream stream, Func<int, WireReader, bool> read)
        => VisitModelFields(stream, (_, _, _) => false, read);

    /// <summary>
    /// Calls <paramref name="readModel"/> for each field of the model but its graph, and <paramref name="readGraph"/> for each
    /// length-delimited field of its graph; a field neither reads (false) is skipped.
    /// </summary>
    private static void VisitModelFields(Stream stream, Func<int, int, WireReader, bool> readModel, Func<int, WireReader, bool> read)
    {
        var reader = new WireReader(stream);
        while (reader.TryReadField(stream.Length, out var field, out var wireType))
        {
            if (field != ModelGraph || wireType != WireReader.LengthDelimited)
            {
                if (!readModel(field, wireType, reader))
                {
                    reader.Skip(wireType);
                }

                continue;
            }

            var graphEnd = reader.ReadLength();
            while (reader.TryReadField(graphEnd, out var graphField, out var graphWireType))
            {
                if (graphWireType != WireReader.LengthDelimited || !read(graphField, reader))
                {
                    reader.Skip(graphWireType);
                }
            }
        }
    }

    /// <summary>An initializer's name, element type and dimensions; an integer one small enough is read whole.</summary>
    private static TensorProto ReadInitializer(Stream stream, WireReader reader)
    {
        var end = reader.ReadLength();
        var start = stream.Position;
        var header = ReadTensorHeader(reader, end);
        if (header.DataType is (int)TensorProto.Types.DataType.Int64 or (int)TensorProto.Types.DataType.Int32 && end - start <= KeptIntegerBytes)
        {
            stream.Position = start;
            var bytes = new byte[end - start];
            stream.ReadExactly(bytes);
            return TensorProto.Parser.ParseFrom(bytes);
        }

        return header;
    }

    private static TensorProto ReadTensorHeader(WireReader reader, long end)
    {
        var tensor = new TensorProto();
        while (reader.TryReadField(end, out var field, out var wireType))
        {
            if (field == TensorName && wireType == WireReader.LengthDelimited)
            {
                tensor.Name = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else if (field == TensorDataType && wireType == 0)
            {
                tensor.DataType = (int)reader.ReadVarint();
            }
            else if (field == TensorDims && wireType == 0)
            {
                tensor.Dims.Add((long)reader.ReadVarint());
            }
            else if (field == TensorDims && wireType == WireReader.LengthDelimited)
            {
                var dimsEnd = reader.ReadLength();
                while (reader.Position < dimsEnd)
                {
                    tensor.Dims.Add((long)reader.ReadVarint());
                }
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return tensor;
    }

    private static string ReadTensorName(WireReader reader, long end)
    {
        var name = "";
        while (reader.TryReadField(end, out var field, out var wireType))
        {
            if (field == TensorName && wireType == WireReader.LengthDelimited)
            {
                name = Encoding.UTF8.GetString(reader.ReadBytes());
            }
            else
            {
                reader.Skip(wireType);
            }
        }

        return name;
    }

    /// <summary>Protobuf wire format over a seekable stream; skipped fields are seeked over, not read.</summary>
    private sealed class WireReader(Stream stream)
    {
        public const int LengthDelimited = 2;

        public long Position => stream.Position;

        public bool TryReadField(long end, out int field, out int wireType)
        {
            field = wireType = 0;
            if (stream.Position >= end)
            {
                return false;
            }

            var tag = ReadVarint();
            field = (int)(tag >> 3);
            wireType = (int)(tag & 7);
            return true;
        }

        /// <summary>Reads a length prefix and returns the position where that field ends.</summary>
        public long ReadLength()
        {
            var length = (long)ReadVarint();
            var end = stream.Position + length;
            if (length < 0 || end > stream.Length)
            {
                throw new InvalidDataException("a field runs past the end of the file");
            }

            return end;
        }

        public byte[] ReadBytes()
        {
            var end = ReadLength();
            var bytes = new byte[end - stream.Position];
            stream.ReadExactly(bytes);
            return bytes;
        }

        public void Skip(int wireType)
        {
            switch (wireType)
            {
                case 0:
                    ReadVarint();
                    break;
                case 1:
                    stream.Position += 8;
                    break;
                case LengthDelimited:
                    stream.Position = ReadLength();
                    break;
                case 5:
                    stream.Position += 4;
                    break;
                default:
                    throw new InvalidDataException($"unexpected protobuf wire type {wireType}");
            }
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 64; shift += 7)
            {
                var b = stream.ReadByte();
                if (b < 0)
                {
                    throw new InvalidDataException("the file ends inside a field");
                }

                value |= (ulong)(b & 0x7f) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw new InvalidDataException("a varint is longer than 10 bytes");
        }
    }
}

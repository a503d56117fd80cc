using System.Text;
using Google.Protobuf;
using Onnx;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Inference;

/// <summary>
/// Reads an .onnx file without parsing its weights: the protobuf fields of the graph are walked and every
/// initializer is skipped but for its name (and element type).
/// </summary>
internal static class OnnxInputPeek
{
    private const int ModelGraph = 7;
    private const int GraphNode = 1;
    private const int GraphInitializer = 5;
    private const int GraphInput = 11;
    private const int GraphOutput = 12;
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

    /// <summary>The graph's nodes, inputs and outputs, and its initializers with their name and element type only.</summary>
    public static GraphProto GraphStructure(Stream stream)
    {
        var structure = new GraphProto();
        VisitGraphFields(stream, (field, reader) =>
        {
            switch (field)
            {
                case GraphNode:
                    structure.Node.Add(NodeProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphInput:
                    structure.Input.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphOutput:
                    structure.Output.Add(ValueInfoProto.Parser.ParseFrom(reader.ReadBytes()));
                    return true;
                case GraphInitializer:
                    structure.Initializer.Add(ReadTensorHeader(reader, reader.ReadLength()));
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
    {
        var reader = new WireReader(stream);
        while (reader.TryReadField(stream.Length, out var field, out var wireType))
        {
            if (field != ModelGraph || wireType != WireReader.LengthDelimited)
            {
                reader.Skip(wireType);
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

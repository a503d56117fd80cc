using Google.FlatBuffers;

// Accessors for the few tables of TensorFlow Lite's schema (tensorflow/lite/schema/schema.fbs, file identifier "TFL3")
// that the importer reads, written in the style flatc generates: field k of a table sits at vtable slot 4 + 2·k,
// a union takes two slots (its type byte, then the table).
namespace SaliencySlider.Cli.ModelImport.Schema;

internal enum TensorType : sbyte
{
    Float32 = 0,
    Float16 = 1,
    Int32 = 2,
    UInt8 = 3,
    Int64 = 4,
    String = 5,
    Bool = 6,
    Int16 = 7,
    Complex64 = 8,
    Int8 = 9,
}

internal enum BuiltinOperator
{
    Add = 0,
    AveragePool2D = 1,
    Conv2D = 3,
    DepthwiseConv2D = 4,
    Dequantize = 6,
    FullyConnected = 9,
    MaxPool2D = 17,
    Reshape = 22,
    Softmax = 25,
    Squeeze = 43,
    Quantize = 114,
}

/// <summary>The BuiltinOptions union's type tags (position in the union, 1-based).</summary>
internal enum BuiltinOptionsType : byte
{
    None = 0,
    Conv2DOptions = 1,
    DepthwiseConv2DOptions = 2,
    Pool2DOptions = 5,
    FullyConnectedOptions = 8,
    SoftmaxOptions = 9,
    AddOptions = 11,
    ReshapeOptions = 17,
    SqueezeOptions = 30,
}

internal enum Padding : sbyte
{
    Same = 0,
    Valid = 1,
}

internal enum ActivationFunctionType : sbyte
{
    None = 0,
    Relu = 1,
    ReluN1To1 = 2,
    Relu6 = 3,
    Tanh = 4,
    SignBit = 5,
}

internal struct ModelTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public static bool HasIdentifier(ByteBuffer bb) => Table.__has_identifier(bb, "TFL3");

    public static ModelTable GetRoot(ByteBuffer bb)
    {
        var root = new ModelTable();
        root.__init(bb.GetInt(bb.Position) + bb.Position, bb);
        return root;
    }

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly uint Version { get { var o = __p.__offset(4); return o != 0 ? __p.bb.GetUint(o + __p.bb_pos) : 0u; } }

    public readonly int OperatorCodesLength { get { var o = __p.__offset(6); return o != 0 ? __p.__vector_len(o) : 0; } }

    public readonly OperatorCodeTable OperatorCodes(int j) => Element<OperatorCodeTable>(__p, 6, j);

    public readonly int SubgraphsLength { get { var o = __p.__offset(8); return o != 0 ? __p.__vector_len(o) : 0; } }

    public readonly SubGraphTable Subgraphs(int j) => Element<SubGraphTable>(__p, 8, j);

    public readonly string? Description { get { var o = __p.__offset(10); return o != 0 ? __p.__string(o + __p.bb_pos) : null; } }

    public readonly int BuffersLength { get { var o = __p.__offset(12); return o != 0 ? __p.__vector_len(o) : 0; } }

    public readonly BufferTable Buffers(int j) => Element<BufferTable>(__p, 12, j);

    internal static T Element<T>(Table table, int vtableOffset, int j)
        where T : struct, IFlatbufferObject
    {
        var o = table.__offset(vtableOffset);
        var element = new T();
        element.__init(table.__indirect(table.__vector(o) + (j * 4)), table.bb);
        return element;
    }
}

internal struct OperatorCodeTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly sbyte DeprecatedBuiltinCode { get { var o = __p.__offset(4); return o != 0 ? __p.bb.GetSbyte(o + __p.bb_pos) : (sbyte)0; } }

    public readonly string? CustomCode { get { var o = __p.__offset(6); return o != 0 ? __p.__string(o + __p.bb_pos) : null; } }

    public readonly int Version { get { var o = __p.__offset(8); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 1; } }

    public readonly int BuiltinCode { get { var o = __p.__offset(10); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }
}

internal struct SubGraphTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly int TensorsLength { get { var o = __p.__offset(4); return o != 0 ? __p.__vector_len(o) : 0; } }

    public readonly TensorTable Tensors(int j) => ModelTable.Element<TensorTable>(__p, 4, j);

    public readonly int[] Inputs => __p.__vector_as_array<int>(6) ?? [];

    public readonly int[] Outputs => __p.__vector_as_array<int>(8) ?? [];

    public readonly int OperatorsLength { get { var o = __p.__offset(10); return o != 0 ? __p.__vector_len(o) : 0; } }

    public readonly OperatorTable Operators(int j) => ModelTable.Element<OperatorTable>(__p, 10, j);

    public readonly string? Name { get { var o = __p.__offset(12); return o != 0 ? __p.__string(o + __p.bb_pos) : null; } }
}

internal struct TensorTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly int[] Shape => __p.__vector_as_array<int>(4) ?? [];

    public readonly TensorType Type { get { var o = __p.__offset(6); return o != 0 ? (TensorType)__p.bb.GetSbyte(o + __p.bb_pos) : TensorType.Float32; } }

    public readonly uint Buffer { get { var o = __p.__offset(8); return o != 0 ? __p.bb.GetUint(o + __p.bb_pos) : 0u; } }

    public readonly string? Name { get { var o = __p.__offset(10); return o != 0 ? __p.__string(o + __p.bb_pos) : null; } }

    public readonly QuantizationParametersTable? Quantization
    {
        get
        {
            var o = __p.__offset(12);
            if (o == 0)
            {
                return null;
            }
            var quantization = new QuantizationParametersTable();
            quantization.__init(__p.__indirect(o + __p.bb_pos), __p.bb);
            return quantization;
        }
    }
}

internal struct QuantizationParametersTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly float[] Scale => __p.__vector_as_array<float>(8) ?? [];

    public readonly long[] ZeroPoint => __p.__vector_as_array<long>(10) ?? [];

    /// <summary>The QuantizationDetails union's type (slot 4; 0 = none): custom quantization the importer cannot read.</summary>
    public readonly byte DetailsType { get { var o = __p.__offset(12); return o != 0 ? __p.bb.Get(o + __p.bb_pos) : (byte)0; } }

    public readonly int QuantizedDimension { get { var o = __p.__offset(16); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }
}

internal struct BufferTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly byte[] Data => __p.__vector_as_array<byte>(4) ?? [];

    /// <summary>Set (with <see cref="Size"/>) by models over 2 GB whose data lies outside the flatbuffer.</summary>
    public readonly ulong Offset { get { var o = __p.__offset(6); return o != 0 ? __p.bb.GetUlong(o + __p.bb_pos) : 0ul; } }

    public readonly ulong Size { get { var o = __p.__offset(8); return o != 0 ? __p.bb.GetUlong(o + __p.bb_pos) : 0ul; } }
}

internal struct OperatorTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly uint OpcodeIndex { get { var o = __p.__offset(4); return o != 0 ? __p.bb.GetUint(o + __p.bb_pos) : 0u; } }

    public readonly int[] Inputs => __p.__vector_as_array<int>(6) ?? [];

    public readonly int[] Outputs => __p.__vector_as_array<int>(8) ?? [];

    public readonly BuiltinOptionsType BuiltinOptionsType { get { var o = __p.__offset(10); return o != 0 ? (BuiltinOptionsType)__p.bb.Get(o + __p.bb_pos) : BuiltinOptionsType.None; } }

    public readonly T? BuiltinOptions<T>()
        where T : struct, IFlatbufferObject
    {
        var o = __p.__offset(12);
        return o != 0 ? __p.__union<T>(o + __p.bb_pos) : null;
    }
}

internal struct Conv2DOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly Padding Padding { get { var o = __p.__offset(4); return o != 0 ? (Padding)__p.bb.GetSbyte(o + __p.bb_pos) : Padding.Same; } }

    public readonly int StrideW { get { var o = __p.__offset(6); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly int StrideH { get { var o = __p.__offset(8); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly ActivationFunctionType FusedActivationFunction { get { var o = __p.__offset(10); return o != 0 ? (ActivationFunctionType)__p.bb.GetSbyte(o + __p.bb_pos) : ActivationFunctionType.None; } }

    public readonly int DilationWFactor { get { var o = __p.__offset(12); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 1; } }

    public readonly int DilationHFactor { get { var o = __p.__offset(14); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 1; } }
}

internal struct DepthwiseConv2DOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly Padding Padding { get { var o = __p.__offset(4); return o != 0 ? (Padding)__p.bb.GetSbyte(o + __p.bb_pos) : Padding.Same; } }

    public readonly int StrideW { get { var o = __p.__offset(6); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly int StrideH { get { var o = __p.__offset(8); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly int DepthMultiplier { get { var o = __p.__offset(10); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly ActivationFunctionType FusedActivationFunction { get { var o = __p.__offset(12); return o != 0 ? (ActivationFunctionType)__p.bb.GetSbyte(o + __p.bb_pos) : ActivationFunctionType.None; } }

    public readonly int DilationWFactor { get { var o = __p.__offset(14); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 1; } }

    public readonly int DilationHFactor { get { var o = __p.__offset(16); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 1; } }
}

internal struct Pool2DOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly Padding Padding { get { var o = __p.__offset(4); return o != 0 ? (Padding)__p.bb.GetSbyte(o + __p.bb_pos) : Padding.Same; } }

    public readonly int StrideW { get { var o = __p.__offset(6); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly int StrideH { get { var o = __p.__offset(8); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly int FilterWidth { get { var o = __p.__offset(10); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly int FilterHeight { get { var o = __p.__offset(12); return o != 0 ? __p.bb.GetInt(o + __p.bb_pos) : 0; } }

    public readonly ActivationFunctionType FusedActivationFunction { get { var o = __p.__offset(14); return o != 0 ? (ActivationFunctionType)__p.bb.GetSbyte(o + __p.bb_pos) : ActivationFunctionType.None; } }
}

internal struct FullyConnectedOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly ActivationFunctionType FusedActivationFunction { get { var o = __p.__offset(4); return o != 0 ? (ActivationFunctionType)__p.bb.GetSbyte(o + __p.bb_pos) : ActivationFunctionType.None; } }

    /// <summary>0 = DEFAULT; anything else is a shuffled layout the importer cannot read.</summary>
    public readonly sbyte WeightsFormat { get { var o = __p.__offset(6); return o != 0 ? __p.bb.GetSbyte(o + __p.bb_pos) : (sbyte)0; } }

    public readonly bool KeepNumDims { get { var o = __p.__offset(8); return o != 0 && __p.bb.Get(o + __p.bb_pos) != 0; } }
}

internal struct SoftmaxOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly float Beta { get { var o = __p.__offset(4); return o != 0 ? __p.bb.GetFloat(o + __p.bb_pos) : 0f; } }
}

internal struct AddOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly ActivationFunctionType FusedActivationFunction { get { var o = __p.__offset(4); return o != 0 ? (ActivationFunctionType)__p.bb.GetSbyte(o + __p.bb_pos) : ActivationFunctionType.None; } }
}

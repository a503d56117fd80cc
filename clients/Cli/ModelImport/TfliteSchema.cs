using Google.FlatBuffers;

// Accessors for the few tables of TensorFlow Lite's schema (tensorflow/lite/schema/schema.fbs, file identifier "TFL3")
// that the importer reads, written in the style flatc generates: field k of a table sits at vtable slot 4 + 2·k,
// a union takes two slots (its type byte, then the table).
namespace SaliencySlider.Cli.ModelImport.Schema;

/// <summary>Scalar fields read by vtable slot (4 + 2·field index), with the schema's default when a field is absent.</summary>
internal static class TableFields
{
    public static int Int(this Table table, int slot, int absent) => table.__offset(slot) is var o and not 0 ? table.bb.GetInt(o + table.bb_pos) : absent;

    public static uint UInt(this Table table, int slot, uint absent) => table.__offset(slot) is var o and not 0 ? table.bb.GetUint(o + table.bb_pos) : absent;

    public static ulong ULong(this Table table, int slot, ulong absent) => table.__offset(slot) is var o and not 0 ? table.bb.GetUlong(o + table.bb_pos) : absent;

    public static sbyte SByte(this Table table, int slot, sbyte absent) => table.__offset(slot) is var o and not 0 ? table.bb.GetSbyte(o + table.bb_pos) : absent;

    public static byte Byte(this Table table, int slot, byte absent) => table.__offset(slot) is var o and not 0 ? table.bb.Get(o + table.bb_pos) : absent;

    public static float Float(this Table table, int slot, float absent) => table.__offset(slot) is var o and not 0 ? table.bb.GetFloat(o + table.bb_pos) : absent;

    public static string? String(this Table table, int slot) => table.__offset(slot) is var o and not 0 ? table.__string(o + table.bb_pos) : null;

    public static int VectorLength(this Table table, int slot) => table.__offset(slot) is var o and not 0 ? table.__vector_len(o) : 0;
}

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

    public readonly uint Version => __p.UInt(4, 0u);

    public readonly int OperatorCodesLength => __p.VectorLength(6);

    public readonly OperatorCodeTable OperatorCodes(int j) => Element<OperatorCodeTable>(__p, 6, j);

    public readonly int SubgraphsLength => __p.VectorLength(8);

    public readonly SubGraphTable Subgraphs(int j) => Element<SubGraphTable>(__p, 8, j);

    public readonly string? Description => __p.String(10);

    public readonly int BuffersLength => __p.VectorLength(12);

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

    public readonly sbyte DeprecatedBuiltinCode => __p.SByte(4, 0);

    public readonly string? CustomCode => __p.String(6);

    public readonly int Version => __p.Int(8, 1);

    public readonly int BuiltinCode => __p.Int(10, 0);
}

internal struct SubGraphTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly int TensorsLength => __p.VectorLength(4);

    public readonly TensorTable Tensors(int j) => ModelTable.Element<TensorTable>(__p, 4, j);

    public readonly int[] Inputs => __p.__vector_as_array<int>(6) ?? [];

    public readonly int[] Outputs => __p.__vector_as_array<int>(8) ?? [];

    public readonly int OperatorsLength => __p.VectorLength(10);

    public readonly OperatorTable Operators(int j) => ModelTable.Element<OperatorTable>(__p, 10, j);

    public readonly string? Name => __p.String(12);
}

internal struct TensorTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly int[] Shape => __p.__vector_as_array<int>(4) ?? [];

    public readonly TensorType Type => (TensorType)__p.SByte(6, (sbyte)TensorType.Float32);

    public readonly uint Buffer => __p.UInt(8, 0u);

    public readonly string? Name => __p.String(10);

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
    public readonly byte DetailsType => __p.Byte(12, 0);

    public readonly int QuantizedDimension => __p.Int(16, 0);
}

internal struct BufferTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly byte[] Data => __p.__vector_as_array<byte>(4) ?? [];

    /// <summary>Set (with <see cref="Size"/>) by models over 2 GB whose data lies outside the flatbuffer.</summary>
    public readonly ulong Offset => __p.ULong(6, 0ul);

    public readonly ulong Size => __p.ULong(8, 0ul);
}

internal struct OperatorTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly uint OpcodeIndex => __p.UInt(4, 0u);

    public readonly int[] Inputs => __p.__vector_as_array<int>(6) ?? [];

    public readonly int[] Outputs => __p.__vector_as_array<int>(8) ?? [];

    public readonly BuiltinOptionsType BuiltinOptionsType => (BuiltinOptionsType)__p.Byte(10, (byte)BuiltinOptionsType.None);

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

    public readonly Padding Padding => (Padding)__p.SByte(4, (sbyte)Padding.Same);

    public readonly int StrideW => __p.Int(6, 0);

    public readonly int StrideH => __p.Int(8, 0);

    public readonly ActivationFunctionType FusedActivationFunction => (ActivationFunctionType)__p.SByte(10, (sbyte)ActivationFunctionType.None);

    public readonly int DilationWFactor => __p.Int(12, 1);

    public readonly int DilationHFactor => __p.Int(14, 1);
}

internal struct DepthwiseConv2DOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly Padding Padding => (Padding)__p.SByte(4, (sbyte)Padding.Same);

    public readonly int StrideW => __p.Int(6, 0);

    public readonly int StrideH => __p.Int(8, 0);

    public readonly int DepthMultiplier => __p.Int(10, 0);

    public readonly ActivationFunctionType FusedActivationFunction => (ActivationFunctionType)__p.SByte(12, (sbyte)ActivationFunctionType.None);

    public readonly int DilationWFactor => __p.Int(14, 1);

    public readonly int DilationHFactor => __p.Int(16, 1);
}

internal struct Pool2DOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly Padding Padding => (Padding)__p.SByte(4, (sbyte)Padding.Same);

    public readonly int StrideW => __p.Int(6, 0);

    public readonly int StrideH => __p.Int(8, 0);

    public readonly int FilterWidth => __p.Int(10, 0);

    public readonly int FilterHeight => __p.Int(12, 0);

    public readonly ActivationFunctionType FusedActivationFunction => (ActivationFunctionType)__p.SByte(14, (sbyte)ActivationFunctionType.None);
}

internal struct FullyConnectedOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly ActivationFunctionType FusedActivationFunction => (ActivationFunctionType)__p.SByte(4, (sbyte)ActivationFunctionType.None);

    /// <summary>0 = DEFAULT; anything else is a shuffled layout the importer cannot read.</summary>
    public readonly sbyte WeightsFormat => __p.SByte(6, 0);

    public readonly bool KeepNumDims => __p.Byte(8, 0) != 0;
}

internal struct SoftmaxOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly float Beta => __p.Float(4, 0f);
}

internal struct AddOptionsTable : IFlatbufferObject
{
    private Table __p;

    public readonly ByteBuffer ByteBuffer => __p.bb;

    public void __init(int _i, ByteBuffer _bb) => __p = new Table(_i, _bb);

    public readonly ActivationFunctionType FusedActivationFunction => (ActivationFunctionType)__p.SByte(4, (sbyte)ActivationFunctionType.None);
}

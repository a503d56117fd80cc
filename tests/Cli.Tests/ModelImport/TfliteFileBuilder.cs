using System.Buffers.Binary;
using Google.FlatBuffers;
using SaliencySlider.Cli.ModelImport.Schema;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>Writes TFLite flatbuffers (schema.fbs, "TFL3") for tests: tensors, constant buffers and the operators the importer reads.</summary>
internal sealed class TfliteFileBuilder
{
    private readonly List<TensorSpec> _tensors = [];
    private readonly List<OperatorSpec> _operators = [];
    private readonly List<int> _operatorCodes = [];

    /// <summary>Old files (like the Coral MobileNet) only fill the int8 deprecated_builtin_code; newer ones also builtin_code.</summary>
    public bool LegacyOperatorCodes { get; init; }

    public int[] Inputs { get; set; } = [];

    public int[] Outputs { get; set; } = [];

    public int Tensor(string name, int[] shape, TensorType type, byte[]? data = null, float[]? scales = null, long[]? zeroPoints = null, int quantizedDimension = 0)
    {
        _tensors.Add(new TensorSpec(name, shape, type, data, scales, zeroPoints, quantizedDimension));
        return _tensors.Count - 1;
    }

    /// <summary>A uint8 activation tensor with (arbitrary) activation quantization, as quantized models carry.</summary>
    public int Activation(string name, int[] shape) => Tensor(name, shape, TensorType.UInt8, scales: [0.0235f], zeroPoints: [0]);

    public int Float32Constant(string name, int[] shape, float[] values)
    {
        var data = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data.AsSpan(i * 4), values[i]);
        }
        return Tensor(name, shape, TensorType.Float32, data);
    }

    public int Int32Constant(string name, int[] shape, int[] values, float[]? scales = null)
    {
        var data = new byte[values.Length * 4];
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteInt32LittleEndian(data.AsSpan(i * 4), values[i]);
        }
        return Tensor(name, shape, TensorType.Int32, data, scales, scales is null ? null : new long[scales.Length]);
    }

    public void Conv2D(int input, int weights, int bias, int output, Padding padding, int stride, ActivationFunctionType activation, int dilation = 1) =>
        Operator(BuiltinOperator.Conv2D, [input, weights, bias], [output], b =>
        {
            b.StartTable(6);
            b.AddSbyte(0, (sbyte)padding, 0);
            b.AddInt(1, stride, 0);
            b.AddInt(2, stride, 0);
            b.AddSbyte(3, (sbyte)activation, 0);
            b.AddInt(4, dilation, 1);
            b.AddInt(5, dilation, 1);
            return (BuiltinOptionsType.Conv2DOptions, b.EndTable());
        });

    public void DepthwiseConv2D(int input, int weights, int bias, int output, Padding padding, int stride, int depthMultiplier, ActivationFunctionType activation) =>
        Operator(BuiltinOperator.DepthwiseConv2D, [input, weights, bias], [output], b =>
        {
            b.StartTable(7);
            b.AddSbyte(0, (sbyte)padding, 0);
            b.AddInt(1, stride, 0);
            b.AddInt(2, stride, 0);
            b.AddInt(3, depthMultiplier, 0);
            b.AddSbyte(4, (sbyte)activation, 0);
            return (BuiltinOptionsType.DepthwiseConv2DOptions, b.EndTable());
        });

    public void Pool(BuiltinOperator code, int input, int output, Padding padding, int stride, int filterH, int filterW, ActivationFunctionType activation = ActivationFunctionType.None) =>
        Operator(code, [input], [output], b =>
        {
            b.StartTable(6);
            b.AddSbyte(0, (sbyte)padding, 0);
            b.AddInt(1, stride, 0);
            b.AddInt(2, stride, 0);
            b.AddInt(3, filterW, 0);
            b.AddInt(4, filterH, 0);
            b.AddSbyte(5, (sbyte)activation, 0);
            return (BuiltinOptionsType.Pool2DOptions, b.EndTable());
        });

    public void FullyConnected(int input, int weights, int bias, int output, ActivationFunctionType activation = ActivationFunctionType.None) =>
        Operator(BuiltinOperator.FullyConnected, [input, weights, bias], [output], b =>
        {
            b.StartTable(4);
            b.AddSbyte(0, (sbyte)activation, 0);
            return (BuiltinOptionsType.FullyConnectedOptions, b.EndTable());
        });

    public void Add(int left, int right, int output, ActivationFunctionType activation = ActivationFunctionType.None) =>
        Operator(BuiltinOperator.Add, [left, right], [output], b =>
        {
            b.StartTable(1);
            b.AddSbyte(0, (sbyte)activation, 0);
            return (BuiltinOptionsType.AddOptions, b.EndTable());
        });

    public void Reshape(int input, int output, int[] newShape)
    {
        var shapeTensor = Int32Constant(_tensors[output].Name + "_shape", [newShape.Length], newShape);
        Operator(BuiltinOperator.Reshape, [input, shapeTensor], [output], b =>
        {
            var vector = IntVector(b, newShape);
            b.StartTable(1);
            b.AddOffset(0, vector.Value, 0);
            return (BuiltinOptionsType.ReshapeOptions, b.EndTable());
        });
    }

    public void Softmax(int input, int output, float beta = 1f) =>
        Operator(BuiltinOperator.Softmax, [input], [output], b =>
        {
            b.StartTable(1);
            b.AddFloat(0, beta, 0);
            return (BuiltinOptionsType.SoftmaxOptions, b.EndTable());
        });

    /// <summary>An operator by builtin code (any code, also ones the importer rejects), with options written by <paramref name="options"/>.</summary>
    public void Operator(int code, int[] inputs, int[] outputs, Func<FlatBufferBuilder, (BuiltinOptionsType Type, int Offset)>? options = null)
    {
        var opcode = _operatorCodes.IndexOf(code);
        if (opcode < 0)
        {
            _operatorCodes.Add(code);
            opcode = _operatorCodes.Count - 1;
        }
        _operators.Add(new OperatorSpec(opcode, inputs, outputs, options));
    }

    public void Operator(BuiltinOperator code, int[] inputs, int[] outputs, Func<FlatBufferBuilder, (BuiltinOptionsType Type, int Offset)>? options = null) =>
        Operator((int)code, inputs, outputs, options);

    public byte[] Build(string description = "saliency test model")
    {
        var b = new FlatBufferBuilder(1 << 16);

        // Buffer 0 is the empty sentinel that tensors without data refer to.
        var buffers = new List<int> { EmptyTable(b) };
        var bufferIndex = new int[_tensors.Count];
        for (var t = 0; t < _tensors.Count; t++)
        {
            if (_tensors[t].Data is { } data)
            {
                b.StartVector(1, data.Length, 16);
                b.Add(data);
                var vector = b.EndVector();
                b.StartTable(3);
                b.AddOffset(0, vector.Value, 0);
                buffers.Add(b.EndTable());
                bufferIndex[t] = buffers.Count - 1;
            }
        }

        var tensors = new int[_tensors.Count];
        for (var t = 0; t < _tensors.Count; t++)
        {
            var spec = _tensors[t];
            var name = b.CreateString(spec.Name);
            var shape = IntVector(b, spec.Shape);
            var quantization = 0;
            if (spec.Scales is { } scales)
            {
                b.StartVector(4, scales.Length, 4);
                for (var i = scales.Length - 1; i >= 0; i--)
                {
                    b.AddFloat(scales[i]);
                }
                var scaleVector = b.EndVector();
                var zeroPoints = spec.ZeroPoints ?? new long[scales.Length];
                b.StartVector(8, zeroPoints.Length, 8);
                for (var i = zeroPoints.Length - 1; i >= 0; i--)
                {
                    b.AddLong(zeroPoints[i]);
                }
                var zeroPointVector = b.EndVector();
                b.StartTable(7);
                b.AddOffset(2, scaleVector.Value, 0);
                b.AddOffset(3, zeroPointVector.Value, 0);
                b.AddInt(6, spec.QuantizedDimension, 0);
                quantization = b.EndTable();
            }
            b.StartTable(6);
            b.AddOffset(0, shape.Value, 0);
            b.AddSbyte(1, (sbyte)spec.Type, 0);
            b.AddUint(2, (uint)bufferIndex[t], 0);
            b.AddOffset(3, name.Value, 0);
            if (quantization != 0)
            {
                b.AddOffset(4, quantization, 0);
            }
            tensors[t] = b.EndTable();
        }

        var operators = new int[_operators.Count];
        for (var o = 0; o < _operators.Count; o++)
        {
            var spec = _operators[o];
            var inputs = IntVector(b, spec.Inputs);
            var outputs = IntVector(b, spec.Outputs);
            var (optionsType, optionsOffset) = spec.Options?.Invoke(b) ?? (BuiltinOptionsType.None, 0);
            b.StartTable(9);
            b.AddUint(0, (uint)spec.Opcode, 0);
            b.AddOffset(1, inputs.Value, 0);
            b.AddOffset(2, outputs.Value, 0);
            if (optionsType != BuiltinOptionsType.None)
            {
                b.AddByte(3, (byte)optionsType, 0);
                b.AddOffset(4, optionsOffset, 0);
            }
            operators[o] = b.EndTable();
        }

        var tensorVector = TableVector(b, tensors);
        var subgraphInputs = IntVector(b, Inputs);
        var subgraphOutputs = IntVector(b, Outputs);
        var operatorVector = TableVector(b, operators);
        var subgraphName = b.CreateString("main");
        b.StartTable(5);
        b.AddOffset(0, tensorVector.Value, 0);
        b.AddOffset(1, subgraphInputs.Value, 0);
        b.AddOffset(2, subgraphOutputs.Value, 0);
        b.AddOffset(3, operatorVector.Value, 0);
        b.AddOffset(4, subgraphName.Value, 0);
        var subgraph = b.EndTable();

        var codes = new int[_operatorCodes.Count];
        for (var c = 0; c < codes.Length; c++)
        {
            b.StartTable(4);
            b.AddSbyte(0, (sbyte)Math.Min(_operatorCodes[c], 127), 0);
            b.AddInt(2, 1, 1);
            if (!LegacyOperatorCodes)
            {
                b.AddInt(3, _operatorCodes[c], 0);
            }
            codes[c] = b.EndTable();
        }

        var codeVector = TableVector(b, codes);
        var subgraphVector = TableVector(b, [subgraph]);
        var descriptionString = b.CreateString(description);
        var bufferVector = TableVector(b, [.. buffers]);
        b.StartTable(5);
        b.AddUint(0, 3, 0);
        b.AddOffset(1, codeVector.Value, 0);
        b.AddOffset(2, subgraphVector.Value, 0);
        b.AddOffset(3, descriptionString.Value, 0);
        b.AddOffset(4, bufferVector.Value, 0);
        var model = b.EndTable();
        b.Finish(model, "TFL3");
        return b.SizedByteArray();
    }

    private static int EmptyTable(FlatBufferBuilder b)
    {
        b.StartTable(1);
        return b.EndTable();
    }

    private static VectorOffset IntVector(FlatBufferBuilder b, int[] values)
    {
        b.StartVector(4, values.Length, 4);
        for (var i = values.Length - 1; i >= 0; i--)
        {
            b.AddInt(values[i]);
        }
        return b.EndVector();
    }

    private static VectorOffset TableVector(FlatBufferBuilder b, int[] offsets)
    {
        b.StartVector(4, offsets.Length, 4);
        for (var i = offsets.Length - 1; i >= 0; i--)
        {
            b.AddOffset(offsets[i]);
        }
        return b.EndVector();
    }

    private sealed record TensorSpec(string Name, int[] Shape, TensorType Type, byte[]? Data, float[]? Scales, long[]? ZeroPoints, int QuantizedDimension);

    private sealed record OperatorSpec(int Opcode, int[] Inputs, int[] Outputs, Func<FlatBufferBuilder, (BuiltinOptionsType Type, int Offset)>? Options);
}

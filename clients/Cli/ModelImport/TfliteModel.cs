using Google.FlatBuffers;
using SaliencySlider.Cli.ModelImport.Schema;

namespace SaliencySlider.Cli.ModelImport;

/// <summary>Asymmetric linear quantization: real = (q − zeroPoint) · scale, per tensor or per slice along <see cref="Dimension"/>.</summary>
internal sealed record TfliteQuantization(float[] Scales, long[] ZeroPoints, int Dimension);

internal sealed record TfliteTensor(int Index, string Name, int[] Shape, TensorType Type, byte[] Data, TfliteQuantization? Quantization)
{
    public bool IsConstant => Data.Length > 0;
}

/// <summary>A fused activation and the geometry of a convolution or pooling window (strides, dilations, filter).</summary>
internal sealed record TfliteWindowOptions(
    Padding Padding,
    int StrideH,
    int StrideW,
    int DilationH,
    int DilationW,
    int FilterH,
    int FilterW,
    ActivationFunctionType Activation);

internal sealed record TfliteOperator(int Index, BuiltinOperator Code, int[] Inputs, int[] Outputs, TfliteWindowOptions Options, float SoftmaxBeta);

/// <summary>The one subgraph of a TFLite model, read eagerly out of the flatbuffer into plain records.</summary>
internal sealed record TfliteModel(uint Version, string? Description, IReadOnlyList<TfliteTensor> Tensors, IReadOnlyList<TfliteOperator> Operators, int[] Inputs, int[] Outputs)
{
    private static readonly HashSet<BuiltinOperator> Supported = [.. Enum.GetValues<BuiltinOperator>()];

    /// <summary>Reads a TFLite flatbuffer. Throws <see cref="InvalidDataException"/> naming the problem for a file that is not TFLite,
    /// is damaged, has more than one subgraph, or uses an operator the importer does not convert.</summary>
    public static TfliteModel Read(byte[] bytes)
    {
        var buffer = new ByteBuffer(bytes);
        if (bytes.Length < 8 || !ModelTable.HasIdentifier(buffer))
        {
            throw new InvalidDataException("not a TFLite model (no \"TFL3\" file identifier)");
        }
        try
        {
            return ReadModel(ModelTable.GetRoot(buffer));
        }
        catch (Exception e) when (e is ArgumentException or IndexOutOfRangeException or OverflowException)
        {
            throw new InvalidDataException($"damaged TFLite model: {e.Message}", e);
        }
    }

    private static TfliteModel ReadModel(ModelTable model)
    {
        if (model.SubgraphsLength != 1)
        {
            throw new InvalidDataException($"the TFLite model has {model.SubgraphsLength} subgraphs; only single-subgraph models can be imported");
        }
        var codes = new List<(int Code, string? Custom)>();
        for (var i = 0; i < model.OperatorCodesLength; i++)
        {
            var code = model.OperatorCodes(i);
            // Since schema v3a the real code is in builtin_code (int32); old files only fill deprecated_builtin_code, which
            // newer writers clamp to 127 for codes above it.
            codes.Add((Math.Max(code.DeprecatedBuiltinCode, code.BuiltinCode), code.CustomCode));
        }

        var subgraph = model.Subgraphs(0);
        var tensors = new List<TfliteTensor>();
        for (var i = 0; i < subgraph.TensorsLength; i++)
        {
            tensors.Add(ReadTensor(model, subgraph.Tensors(i), i));
        }

        var operators = new List<TfliteOperator>();
        for (var i = 0; i < subgraph.OperatorsLength; i++)
        {
            var op = subgraph.Operators(i);
            if (op.OpcodeIndex >= codes.Count)
            {
                throw new InvalidDataException($"operator {i} refers to operator code {op.OpcodeIndex} of {codes.Count}");
            }
            var (code, custom) = codes[(int)op.OpcodeIndex];
            if (!Supported.Contains((BuiltinOperator)code))
            {
                var what = custom is not null ? $"custom operator {custom}" : $"operator {BuiltinOperatorName(code)}";
                throw new InvalidDataException($"unsupported {what} (TFLite operator {i}); supported: {string.Join(", ", Supported.Select(c => BuiltinOperatorName((int)c)))}");
            }
            var inputs = op.Inputs;
            var outputs = op.Outputs;
            foreach (var index in inputs.Concat(outputs))
            {
                if (index < -1 || index >= tensors.Count)
                {
                    throw new InvalidDataException($"operator {i} refers to tensor {index} of {tensors.Count}");
                }
            }
            operators.Add(ReadOperator(op, i, (BuiltinOperator)code, inputs, outputs));
        }

        return new TfliteModel(model.Version, model.Description, tensors, operators, subgraph.Inputs, subgraph.Outputs);
    }

    private static TfliteTensor ReadTensor(ModelTable model, TensorTable tensor, int index)
    {
        var name = tensor.Name ?? $"tensor_{index}";
        var data = Array.Empty<byte>();
        if (tensor.Buffer != 0)
        {
            if (tensor.Buffer >= model.BuffersLength)
            {
                throw new InvalidDataException($"tensor {name} refers to buffer {tensor.Buffer} of {model.BuffersLength}");
            }
            var buffer = model.Buffers((int)tensor.Buffer);
            if (buffer.Offset > 1 || buffer.Size > 0)
            {
                throw new InvalidDataException($"tensor {name} keeps its data outside the flatbuffer (models over 2 GB are not supported)");
            }
            data = buffer.Data;
        }
        TfliteQuantization? quantization = null;
        if (tensor.Quantization is { } q)
        {
            if (q.DetailsType != 0)
            {
                throw new InvalidDataException($"tensor {name} uses custom quantization, which is not supported");
            }
            var scales = q.Scale;
            if (scales.Length > 0)
            {
                quantization = new TfliteQuantization(scales, q.ZeroPoint, q.QuantizedDimension);
            }
        }
        return new TfliteTensor(index, name, tensor.Shape, tensor.Type, data, quantization);
    }

    private static TfliteOperator ReadOperator(OperatorTable op, int index, BuiltinOperator code, int[] inputs, int[] outputs)
    {
        var none = new TfliteWindowOptions(Padding.Valid, 1, 1, 1, 1, 0, 0, ActivationFunctionType.None);
        var options = none;
        var beta = 1f;
        switch (op.BuiltinOptionsType)
        {
            case BuiltinOptionsType.Conv2DOptions when op.BuiltinOptions<Conv2DOptionsTable>() is { } c:
                options = new TfliteWindowOptions(c.Padding, c.StrideH, c.StrideW, c.DilationHFactor, c.DilationWFactor, 0, 0, c.FusedActivationFunction);
                break;
            case BuiltinOptionsType.DepthwiseConv2DOptions when op.BuiltinOptions<DepthwiseConv2DOptionsTable>() is { } d:
                options = new TfliteWindowOptions(d.Padding, d.StrideH, d.StrideW, d.DilationHFactor, d.DilationWFactor, 0, 0, d.FusedActivationFunction);
                break;
            case BuiltinOptionsType.Pool2DOptions when op.BuiltinOptions<Pool2DOptionsTable>() is { } p:
                options = new TfliteWindowOptions(p.Padding, p.StrideH, p.StrideW, 1, 1, p.FilterHeight, p.FilterWidth, p.FusedActivationFunction);
                break;
            case BuiltinOptionsType.FullyConnectedOptions when op.BuiltinOptions<FullyConnectedOptionsTable>() is { } f:
                if (f.WeightsFormat != 0 || f.KeepNumDims)
                {
                    throw new InvalidDataException($"FULLY_CONNECTED (TFLite operator {index}) with shuffled weights or keep_num_dims is not supported");
                }
                options = none with { Activation = f.FusedActivationFunction };
                break;
            case BuiltinOptionsType.AddOptions when op.BuiltinOptions<AddOptionsTable>() is { } a:
                options = none with { Activation = a.FusedActivationFunction };
                break;
            case BuiltinOptionsType.SoftmaxOptions when op.BuiltinOptions<SoftmaxOptionsTable>() is { } s:
                beta = s.Beta;
                break;
            default:
                break;
        }
        return new TfliteOperator(index, code, inputs, outputs, options, beta);
    }

    public static string BuiltinOperatorName(int code) => code switch
    {
        0 => "ADD",
        1 => "AVERAGE_POOL_2D",
        2 => "CONCATENATION",
        3 => "CONV_2D",
        4 => "DEPTHWISE_CONV_2D",
        6 => "DEQUANTIZE",
        9 => "FULLY_CONNECTED",
        14 => "LOGISTIC",
        17 => "MAX_POOL_2D",
        18 => "MUL",
        19 => "RELU",
        21 => "RELU6",
        22 => "RESHAPE",
        23 => "RESIZE_BILINEAR",
        25 => "SOFTMAX",
        28 => "TANH",
        32 => "CUSTOM",
        34 => "PAD",
        39 => "TRANSPOSE",
        40 => "MEAN",
        41 => "SUB",
        43 => "SQUEEZE",
        49 => "SPLIT",
        60 => "PADV2",
        83 => "PACK",
        97 => "RESIZE_NEAREST_NEIGHBOR",
        98 => "LEAKY_RELU",
        114 => "QUANTIZE",
        117 => "HARD_SWISH",
        _ => $"builtin code {code}",
    };
}

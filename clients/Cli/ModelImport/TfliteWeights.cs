using System.Buffers.Binary;
using SaliencySlider.Cli.ModelImport.Schema;

namespace SaliencySlider.Cli.ModelImport;

/// <summary>Constant tensors as float32: dequantized, then rearranged from TFLite's layouts to ONNX's.</summary>
internal static class TfliteWeights
{
    /// <summary>The tensor's values in its own (TFLite) layout: FLOAT32/FLOAT16 as stored; integer types
    /// dequantized <c>(q − zero_point) · scale</c> in float32, per tensor or per slice along the quantized dimension.</summary>
    public static float[] Dequantize(TfliteTensor tensor)
    {
        var count = ElementCount(tensor.Shape);
        var elementSize = tensor.Type switch
        {
            TensorType.Float32 or TensorType.Int32 => 4,
            TensorType.Float16 or TensorType.Int16 => 2,
            TensorType.UInt8 or TensorType.Int8 => 1,
            TensorType.Int64 => 8,
            _ => throw new InvalidDataException($"constant tensor {tensor.Name} has type {tensor.Type}, which cannot be converted to float32"),
        };
        if (tensor.Data.Length != count * elementSize)
        {
            throw new InvalidDataException($"constant tensor {tensor.Name} has {tensor.Data.Length} bytes of data for shape [{string.Join(", ", tensor.Shape)}] of {tensor.Type}");
        }
        var data = tensor.Data.AsSpan();
        var values = new float[count];
        switch (tensor.Type)
        {
            case TensorType.Float32:
                for (var i = 0; i < count; i++)
                {
                    values[i] = BinaryPrimitives.ReadSingleLittleEndian(data[(i * 4)..]);
                }
                return values;
            case TensorType.Float16:
                for (var i = 0; i < count; i++)
                {
                    values[i] = (float)BinaryPrimitives.ReadHalfLittleEndian(data[(i * 2)..]);
                }
                return values;
            default:
                break;
        }

        var quantization = tensor.Quantization
            ?? throw new InvalidDataException($"constant tensor {tensor.Name} of type {tensor.Type} has no quantization parameters");
        var channels = quantization.Scales.Length;
        var (outer, axis, inner) = (1, 1, count);
        if (channels > 1)
        {
            var dimension = quantization.Dimension;
            if (dimension < 0 || dimension >= tensor.Shape.Length || tensor.Shape[dimension] != channels)
            {
                throw new InvalidDataException($"tensor {tensor.Name}: {channels} scales do not match quantized dimension {dimension} of shape [{string.Join(", ", tensor.Shape)}]");
            }
            outer = ElementCount(tensor.Shape.AsSpan(0, dimension));
            axis = channels;
            inner = ElementCount(tensor.Shape.AsSpan(dimension + 1));
        }
        if (quantization.ZeroPoints.Length is not 0 && quantization.ZeroPoints.Length != channels)
        {
            throw new InvalidDataException($"tensor {tensor.Name} has {channels} scales but {quantization.ZeroPoints.Length} zero points");
        }

        for (var o = 0; o < outer; o++)
        {
            for (var c = 0; c < axis; c++)
            {
                var scale = quantization.Scales[c];
                var zeroPoint = quantization.ZeroPoints.Length == 0 ? 0 : quantization.ZeroPoints[c];
                var start = ((o * axis) + c) * inner;
                for (var i = start; i < start + inner; i++)
                {
                    long q = tensor.Type switch
                    {
                        TensorType.UInt8 => data[i],
                        TensorType.Int8 => (sbyte)data[i],
                        TensorType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(data[(i * 2)..]),
                        TensorType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(data[(i * 4)..]),
                        _ => BinaryPrimitives.ReadInt64LittleEndian(data[(i * 8)..]),
                    };
                    values[i] = (float)(q - zeroPoint) * scale;
                }
            }
        }
        return values;
    }

    /// <summary>CONV_2D weights [O, KH, KW, I] → ONNX Conv weights [O, I, KH, KW].</summary>
    public static float[] ConvWeightsToOihw(float[] ohwi, int outChannels, int kernelH, int kernelW, int inChannels)
    {
        var oihw = new float[ohwi.Length];
        for (var o = 0; o < outChannels; o++)
        {
            for (var y = 0; y < kernelH; y++)
            {
                for (var x = 0; x < kernelW; x++)
                {
                    for (var i = 0; i < inChannels; i++)
                    {
                        oihw[(((((o * inChannels) + i) * kernelH) + y) * kernelW) + x] = ohwi[(((((o * kernelH) + y) * kernelW) + x) * inChannels) + i];
                    }
                }
            }
        }
        return oihw;
    }

    /// <summary>DEPTHWISE_CONV_2D weights [1, KH, KW, C] (C = input channels · multiplier) → ONNX grouped Conv weights [C, 1, KH, KW].</summary>
    public static float[] DepthwiseWeightsToC1hw(float[] hwc, int kernelH, int kernelW, int channels)
    {
        var chw = new float[hwc.Length];
        for (var y = 0; y < kernelH; y++)
        {
            for (var x = 0; x < kernelW; x++)
            {
                for (var c = 0; c < channels; c++)
                {
                    chw[(((c * kernelH) + y) * kernelW) + x] = hwc[(((y * kernelW) + x) * channels) + c];
                }
            }
        }
        return chw;
    }

    public static int ElementCount(ReadOnlySpan<int> shape)
    {
        long count = 1;
        foreach (var d in shape)
        {
            if (d < 0)
            {
                throw new InvalidDataException($"negative dimension {d}");
            }
            count = checked(count * d);
        }
        return checked((int)count);
    }
}

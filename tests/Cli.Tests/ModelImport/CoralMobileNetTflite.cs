using Onnx;
using SaliencySlider.Cli.ModelImport.Schema;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>
/// Rebuilds, from the shared ONNX MobileNetV2, a TFLite file shaped like Google's mobilenet_v2_1.0_224_quant.tflite
/// (google-coral/test_data): uint8 input [1, 224, 224, 3], CONV_2D / DEPTHWISE_CONV_2D with fused RELU6 or none, ADD,
/// AVERAGE_POOL_2D 7×7 VALID, a 1×1 CONV_2D head with 1001 outputs, RESHAPE and SOFTMAX; the real file's tensor names;
/// weights in NHWC layouts, stored uint8 where a per-tensor (scale, zero point) reproduces them exactly, else FLOAT32;
/// biases int32 where a power-of-two scale reproduces them exactly, else FLOAT32.
/// </summary>
internal static class CoralMobileNetTflite
{
    public sealed record Result(byte[] Tflite, int QuantizedWeights, int Float32Weights, int Int32Biases);

    public static Result Build(ModelProto shared)
    {
        var graph = shared.Graph;
        var initializers = graph.Initializer.ToDictionary(t => t.Name);
        var builder = new TfliteFileBuilder { LegacyOperatorCodes = true };
        var input = builder.Tensor("input", [1, 224, 224, 3], TensorType.UInt8, scales: [0.0078125f], zeroPoints: [128]);
        builder.Inputs = [input];
        var tensors = new Dictionary<string, (int Index, int[] Shape)> { ["input"] = (input, [1, 224, 224, 3]) };
        var (quantized, float32, int32Biases) = (0, 0, 0);

        var nodes = graph.Node.ToList();
        for (var n = 0; n < nodes.Count; n++)
        {
            var node = nodes[n];
            switch (node.OpType)
            {
                case "Conv":
                    var fused = n + 1 < nodes.Count && nodes[n + 1].OpType == "Clip";
                    var outputName = fused ? nodes[n + 1].Output[0] : node.Output[0];
                    var scope = outputName[..outputName.LastIndexOf('/')];
                    var (x, inShape) = tensors[node.Input[0]];
                    var onnxWeights = initializers[node.Input[1]];
                    var dims = onnxWeights.Dims.Select(d => (int)d).ToArray();
                    var group = (int)node.Attribute.Single(a => a.Name == "group").I;
                    var stride = (int)node.Attribute.Single(a => a.Name == "strides").Ints[0];
                    var depthwise = group > 1;
                    var values = Floats(onnxWeights);
                    var (outH, outW) = ((inShape[1] + stride - 1) / stride, (inShape[2] + stride - 1) / stride);
                    var outShape = new[] { 1, outH, outW, dims[0] };
                    int[] tfliteShape = depthwise ? [1, dims[2], dims[3], dims[0]] : [dims[0], dims[2], dims[3], dims[1]];
                    var tfliteValues = depthwise ? C1hwToHwc(values, dims) : OihwToOhwi(values, dims);
                    var weightsName = $"{scope}/weights_quant/FakeQuantWithMinMaxVars";
                    int weights;
                    if (ExactQuantizer.TryQuantize(tfliteValues, out var q, out var scale, out var zeroPoint))
                    {
                        weights = builder.Tensor(weightsName, tfliteShape, TensorType.UInt8, q, [scale], [zeroPoint], depthwise ? 3 : 0);
                        quantized++;
                    }
                    else
                    {
                        weights = builder.Float32Constant(weightsName, tfliteShape, tfliteValues);
                        float32++;
                    }
                    var biasName = scope.EndsWith("Conv2d_1c_1x1", StringComparison.Ordinal) ? $"{scope}/Conv2D_bias"
                        : depthwise ? $"{scope}/depthwise_Fold_bias" : $"{scope}/Conv2D_Fold_bias";
                    var biasValues = Floats(initializers[node.Input[2]]);
                    int bias;
                    if (ExactQuantizer.TryQuantizeInt32(biasValues, out var biasQ, out var biasScale))
                    {
                        bias = builder.Int32Constant(biasName, [dims[0]], biasQ, [biasScale]);
                        int32Biases++;
                    }
                    else
                    {
                        bias = builder.Float32Constant(biasName, [dims[0]], biasValues);
                    }
                    var output = builder.Activation(outputName, outShape);
                    var activation = fused ? ActivationFunctionType.Relu6 : ActivationFunctionType.None;
                    if (depthwise)
                    {
                        builder.DepthwiseConv2D(x, weights, bias, output, Padding.Same, stride, dims[0] / inShape[3], activation);
                    }
                    else
                    {
                        builder.Conv2D(x, weights, bias, output, Padding.Same, stride, activation);
                    }
                    tensors[outputName] = (output, outShape);
                    if (fused)
                    {
                        n++;
                    }
                    break;
                case "Add":
                    var (left, shape) = tensors[node.Input[0]];
                    var sum = builder.Activation(node.Output[0], shape);
                    builder.Add(left, tensors[node.Input[1]].Index, sum);
                    tensors[node.Output[0]] = (sum, shape);
                    break;
                case "GlobalAveragePool":
                    var (pooled, poolShape) = tensors[node.Input[0]];
                    int[] pooledShape = [1, 1, 1, poolShape[3]];
                    var pool = builder.Activation(node.Output[0], pooledShape);
                    builder.Pool(BuiltinOperator.AveragePool2D, pooled, pool, Padding.Valid, 2, poolShape[1], poolShape[2]);
                    tensors[node.Output[0]] = (pool, pooledShape);
                    break;
                case "Reshape":
                    var (logits4d, logitsShape) = tensors[node.Input[0]];
                    var classes = logitsShape[3];
                    var squeezed = builder.Activation("MobilenetV2/Logits/SpatialSqueeze", [1, classes]);
                    builder.Reshape(logits4d, squeezed, [1, classes]);
                    var predictions = builder.Tensor("MobilenetV2/Predictions/Reshape_1", [1, classes], TensorType.UInt8, scales: [1f / 256], zeroPoints: [0]);
                    builder.Softmax(squeezed, predictions);
                    builder.Outputs = [predictions];
                    break;
                case "Slice":
                    break;
                default:
                    throw new InvalidOperationException($"unexpected {node.OpType} in the shared MobileNet");
            }
        }
        return new Result(builder.Build("TOCO Converted."), quantized, float32, int32Biases);
    }

    private static float[] Floats(TensorProto tensor)
    {
        if (tensor.RawData.IsEmpty)
        {
            return [.. tensor.FloatData];
        }
        var values = new float[tensor.RawData.Length / 4];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = System.Buffers.Binary.BinaryPrimitives.ReadSingleLittleEndian(tensor.RawData.Span[(i * 4)..]);
        }
        return values;
    }

    private static float[] OihwToOhwi(float[] oihw, int[] dims)
    {
        var (o, i, h, w) = (dims[0], dims[1], dims[2], dims[3]);
        var ohwi = new float[oihw.Length];
        for (var a = 0; a < o; a++)
        {
            for (var b = 0; b < i; b++)
            {
                for (var y = 0; y < h; y++)
                {
                    for (var x = 0; x < w; x++)
                    {
                        ohwi[(((((a * h) + y) * w) + x) * i) + b] = oihw[(((((a * i) + b) * h) + y) * w) + x];
                    }
                }
            }
        }
        return ohwi;
    }

    private static float[] C1hwToHwc(float[] chw, int[] dims)
    {
        var (c, h, w) = (dims[0], dims[2], dims[3]);
        var hwc = new float[chw.Length];
        for (var a = 0; a < c; a++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    hwc[(((y * w) + x) * c) + a] = chw[(((a * h) + y) * w) + x];
                }
            }
        }
        return hwc;
    }
}

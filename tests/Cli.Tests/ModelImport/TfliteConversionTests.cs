using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using SaliencySlider.Cli.ModelImport;
using SaliencySlider.Cli.ModelImport.Schema;
using static SaliencySlider.Cli.Tests.ModelImport.NhwcReference;
using Tensor = SaliencySlider.Cli.Tests.ModelImport.NhwcReference.Tensor;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>Small TFLite models built in the test: dequantization, padding, layouts and every supported op, checked
/// against the expected ONNX attributes and against a plain-loop NHWC reference run of the same network.</summary>
public class TfliteConversionTests
{
    [Fact]
    public void Per_channel_int8_weights_and_int32_biases_dequantize_per_output_channel()
    {
        var b = new TfliteFileBuilder();
        var input = b.Tensor("input", [1, 4, 4, 2], TensorType.Float32);
        b.Inputs = [input];
        sbyte[] q = [.. Enumerable.Range(0, 3 * 2 * 2 * 2).Select(i => (sbyte)((i * 29 % 255) - 127))]; // [O=3, KH=2, KW=2, I=2]
        float[] scales = [0.5f, 0.013f, 3.25f];
        long[] zeroPoints = [0, -7, 4];
        var weights = b.Tensor("block/weights", [3, 2, 2, 2], TensorType.Int8, [.. q.Select(v => (byte)v)], scales, zeroPoints, quantizedDimension: 0);
        int[] biasQ = [1000, -77, 123456];
        float[] biasScales = [0.001f, 0.25f, 1e-5f];
        var bias = b.Int32Constant("block/bias", [3], biasQ, biasScales);
        var conv = b.Tensor("block/conv/out", [1, 2, 2, 3], TensorType.Float32);
        b.Conv2D(input, weights, bias, conv, Padding.Valid, 2, ActivationFunctionType.None);
        AppendGlobalPoolHead(b, conv, [1, 2, 2, 3]);

        var graph = Convert(b).Graph;

        var expected = new float[3 * 2 * 2 * 2];
        for (var o = 0; o < 3; o++)
        {
            for (var i = 0; i < 2; i++)
            {
                for (var y = 0; y < 2; y++)
                {
                    for (var x = 0; x < 2; x++)
                    {
                        float delta = q[(((((o * 2) + y) * 2) + x) * 2) + i] - zeroPoints[o];
                        expected[(((((o * 2) + i) * 2) + y) * 2) + x] = delta * scales[o];
                    }
                }
            }
        }
        Assert.Equal(expected, Floats(graph, "block/conv/weights"));
        Assert.Equal([3L, 2, 2, 2], graph.Initializer.Single(t => t.Name == "block/conv/weights").Dims);
        Assert.Equal([1000 * 0.001f, -77 * 0.25f, 123456 * 1e-5f], Floats(graph, "block/conv/biases"));
    }

    [Fact]
    public void Per_channel_depthwise_weights_dequantize_along_the_last_dimension()
    {
        var b = new TfliteFileBuilder();
        var input = b.Tensor("input", [1, 3, 3, 3], TensorType.UInt8, scales: [1f], zeroPoints: [0]);
        b.Inputs = [input];
        byte[] q = [.. Enumerable.Range(0, 2 * 2 * 3).Select(i => (byte)(i * 21))]; // [1, KH=2, KW=2, C=3]
        float[] scales = [0.1f, 0.2f, 0.4f];
        long[] zeroPoints = [10, 20, 30];
        var weights = b.Tensor("dw/weights", [1, 2, 2, 3], TensorType.UInt8, q, scales, zeroPoints, quantizedDimension: 3);
        var output = b.Tensor("dw/conv/Relu", [1, 3, 3, 3], TensorType.Float32);
        b.DepthwiseConv2D(input, weights, -1, output, Padding.Same, 1, 1, ActivationFunctionType.Relu);
        AppendGlobalPoolHead(b, output, [1, 3, 3, 3]);

        var graph = Convert(b).Graph;

        var expected = new float[3 * 2 * 2];
        for (var c = 0; c < 3; c++)
        {
            for (var k = 0; k < 4; k++)
            {
                expected[(c * 4) + k] = (q[(k * 3) + c] - zeroPoints[c]) * scales[c];
            }
        }
        Assert.Equal(expected, Floats(graph, "dw/conv/depthwise_weights"));
        var node = graph.Node[0];
        Assert.Equal("dw/conv/depthwise", node.Name);
        Assert.Equal(2, node.Input.Count); // no bias
        Assert.Equal("dw/conv/BiasAdd", node.Output[0]);
        Assert.Equal("Relu", graph.Node[1].OpType);
        Assert.Equal("dw/conv/Relu", graph.Node[1].Output[0]);
    }

    [Theory]
    [InlineData(8, 2, true, new long[] { 0, 0, 1, 1 })]
    [InlineData(7, 2, true, new long[] { 1, 1, 1, 1 })]
    [InlineData(7, 1, true, new long[] { 1, 1, 1, 1 })]
    [InlineData(8, 2, false, new long[] { 0, 0, 0, 0 })]
    public void Tf_padding_becomes_explicit_pads_with_the_odd_pixel_after(int size, int stride, bool same, long[] pads)
    {
        var padding = same ? Padding.Same : Padding.Valid;
        var b = new TfliteFileBuilder();
        var input = b.Tensor("input", [1, size, size, 1], TensorType.Float32);
        b.Inputs = [input];
        var weights = b.Float32Constant("w", [2, 3, 3, 1], [.. Enumerable.Range(0, 18).Select(i => i / 10f)]);
        var outSize = padding == Padding.Same ? (size + stride - 1) / stride : ((size - 3) / stride) + 1;
        var output = b.Tensor("c/out", [1, outSize, outSize, 2], TensorType.Float32);
        b.Conv2D(input, weights, -1, output, padding, stride, ActivationFunctionType.Relu6);
        AppendGlobalPoolHead(b, output, [1, outSize, outSize, 2]);

        var conv = Convert(b).Graph.Node[0];

        Assert.Equal("Conv", conv.OpType);
        Assert.Equal(["dilations", "group", "kernel_shape", "pads", "strides"], conv.Attribute.Select(a => a.Name));
        Assert.Equal(pads, conv.Attribute.Single(a => a.Name == "pads").Ints);
        Assert.Equal([stride, stride], conv.Attribute.Single(a => a.Name == "strides").Ints);
    }

    [Fact]
    public void Depthwise_with_multiplier_2_is_a_grouped_conv_over_the_input_channels()
    {
        var (builder, _) = ReferenceNetwork();

        var depthwise = Convert(builder).Graph.Node.Single(n => n.Name == "net/dw/depthwise");

        Assert.Equal(3, depthwise.Attribute.Single(a => a.Name == "group").I);
        Assert.Equal([6L, 1, 3, 3], Convert(builder).Graph.Initializer.Single(t => t.Name == "net/dw/depthwise_weights").Dims);
    }

    [Fact]
    public void Pools_fully_connected_head_and_dropped_softmax_map_to_their_onnx_ops()
    {
        var (builder, _) = ReferenceNetwork();

        var graph = Convert(builder).Graph;

        Assert.Equal(
            ["Conv", "Clip", "Conv", "Relu", "Conv", "op003_add", "op004_maxpool", "op005_avgpool", "op006_transpose", "op006_reshape", "net/fc/MatMul"],
            graph.Node.Select(n => n.OpType == "Conv" || n.OpType == "Clip" || n.OpType == "Relu" ? n.OpType : n.Name));
        var maxPool = graph.Node.Single(n => n.OpType == "MaxPool");
        Assert.Equal([2L, 2], maxPool.Attribute.Single(a => a.Name == "kernel_shape").Ints);
        Assert.Equal([0L, 0, 0, 0], maxPool.Attribute.Single(a => a.Name == "pads").Ints);
        var averagePool = graph.Node.Single(n => n.OpType == "AveragePool");
        Assert.Equal([1L, 1, 1, 1], averagePool.Attribute.Single(a => a.Name == "pads").Ints);
        Assert.Equal([2L, 2], averagePool.Attribute.Single(a => a.Name == "strides").Ints);
        Assert.Equal([0L, 2, 3, 1], graph.Node.Single(n => n.OpType == "Transpose").Attribute.Single().Ints);
        var gemm = graph.Node.Single(n => n.OpType == "Gemm");
        Assert.Equal(1, gemm.Attribute.Single(a => a.Name == "transB").I);
        Assert.Equal(TfliteToOnnxConverter.OutputName, gemm.Output[0]);
        Assert.DoesNotContain(graph.Node, n => n.OpType == "Softmax");
        Assert.Equal([-1L, 24], ReadInt64s(graph.Initializer.Single(t => t.Name == "op006_shape")));
    }

    [Fact]
    public void Converted_network_computes_what_tflite_defines_on_nhwc_tensors()
    {
        var (builder, reference) = ReferenceNetwork();
        var input = new float[7 * 8 * 3];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = ((i * 37 % 101) / 50f) - 1f;
        }
        var expected = reference(new Tensor(input, 7, 8, 3));

        var nchw = new float[input.Length];
        for (var y = 0; y < 7; y++)
        {
            for (var x = 0; x < 8; x++)
            {
                for (var c = 0; c < 3; c++)
                {
                    nchw[(((c * 7) + y) * 8) + x] = input[(((y * 8) + x) * 3) + c];
                }
            }
        }
        var model = Convert(builder);
        using var session = new InferenceSession(model.ToByteArray());
        using var results = session.Run([NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(nchw, [1, 3, 7, 8]))]);
        var actual = results.Single().AsEnumerable<float>().ToArray();

        Assert.Equal(5, actual.Length);
        for (var i = 0; i < 5; i++)
        {
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= 1e-4f * (1 + MathF.Abs(expected[i])), $"logit {i}: expected {expected[i]}, got {actual[i]}");
        }
        Assert.True(expected.Max() - expected.Min() > 0.1f, "the reference logits should not be trivially equal");
    }

    [Fact]
    public void Conversion_is_deterministic()
    {
        var (builder, _) = ReferenceNetwork();
        var tflite = builder.Build();

        var first = TfliteToOnnxConverter.Convert(tflite, "net.tflite", new TfliteImportOptions()).ToByteArray();
        var second = TfliteToOnnxConverter.Convert(tflite, "net.tflite", new TfliteImportOptions()).ToByteArray();

        Assert.Equal(first, second);
    }

    /// <summary>
    /// uint8 input [1, 7, 8, 3] (odd height, even width) → CONV 3×3/2 SAME RELU6 (per-channel int8 weights, int32 bias)
    /// → [1, 4, 4, 3] → DEPTHWISE 3×3 ×2 SAME RELU, plus a 1×1 CONV branch → ADD → [1, 4, 4, 6] → MAX_POOL 2×2/1 VALID
    /// → [1, 3, 3, 6] → AVERAGE_POOL 3×3/2 SAME → [1, 2, 2, 6] → FULLY_CONNECTED → [1, 5] → SOFTMAX; and the same in loops.
    /// </summary>
    private static (TfliteFileBuilder Builder, Func<Tensor, float[]> Reference) ReferenceNetwork()
    {
        var b = new TfliteFileBuilder();
        var input = b.Tensor("input", [1, 7, 8, 3], TensorType.UInt8, scales: [1f / 128], zeroPoints: [128]);
        b.Inputs = [input];

        sbyte[] convQ = [.. Enumerable.Range(0, 3 * 3 * 3 * 3).Select(i => (sbyte)((i * 53 % 201) - 100))];
        float[] convScales = [0.011f, 0.007f, 0.013f];
        var convWeights = b.Tensor("net/conv/weights", [3, 3, 3, 3], TensorType.Int8, [.. convQ.Select(v => (byte)v)], convScales, new long[3], 0);
        int[] convBiasQ = [30, -20, 10];
        var convBias = b.Int32Constant("net/conv/bias", [3], convBiasQ, [0.01f, 0.01f, 0.01f]);
        var conv = b.Activation("net/conv/Relu6", [1, 4, 4, 3]);
        b.Conv2D(input, convWeights, convBias, conv, Padding.Same, 2, ActivationFunctionType.Relu6);

        byte[] dwQ = [.. Enumerable.Range(0, 3 * 3 * 6).Select(i => (byte)(i * 41 % 256))];
        var dwWeights = b.Tensor("net/dw/weights", [1, 3, 3, 6], TensorType.UInt8, dwQ, [0.004f], [128]);
        float[] dwBias = [0.1f, -0.1f, 0.2f, 0f, 0.05f, -0.3f];
        var dwBiasTensor = b.Float32Constant("net/dw/bias", [6], dwBias);
        var dw = b.Activation("net/dw/Relu", [1, 4, 4, 6]);
        b.DepthwiseConv2D(conv, dwWeights, dwBiasTensor, dw, Padding.Same, 1, 2, ActivationFunctionType.Relu);

        float[] branchWeights = [.. Enumerable.Range(0, 6 * 3).Select(i => ((i * 7 % 13) - 6) / 10f)];
        var branchW = b.Float32Constant("net/branch/weights", [6, 1, 1, 3], branchWeights);
        float[] branchBias = [0f, 0.1f, 0f, 0.1f, 0f, 0.1f];
        var branchB = b.Float32Constant("net/branch/bias", [6], branchBias);
        var branch = b.Activation("net/branch/add_fold", [1, 4, 4, 6]);
        b.Conv2D(conv, branchW, branchB, branch, Padding.Same, 1, ActivationFunctionType.None);

        var sum = b.Activation("net/add", [1, 4, 4, 6]);
        b.Add(dw, branch, sum);
        var maxPooled = b.Activation("net/maxpool", [1, 3, 3, 6]);
        b.Pool(BuiltinOperator.MaxPool2D, sum, maxPooled, Padding.Valid, 1, 2, 2);
        var averaged = b.Activation("net/avgpool", [1, 2, 2, 6]);
        b.Pool(BuiltinOperator.AveragePool2D, maxPooled, averaged, Padding.Same, 2, 3, 3);

        float[] fcWeights = [.. Enumerable.Range(0, 5 * 24).Select(i => ((i * 11 % 17) - 8) / 8f)];
        var fcW = b.Float32Constant("net/fc/weights", [5, 24], fcWeights);
        float[] fcBias = [0.5f, -0.5f, 0.25f, 0f, 1f];
        var fcB = b.Float32Constant("net/fc/bias", [5], fcBias);
        var logits = b.Activation("net/fc/logits", [1, 5]);
        b.FullyConnected(averaged, fcW, fcB, logits);
        var probabilities = b.Activation("net/softmax", [1, 5]);
        b.Softmax(logits, probabilities);
        b.Outputs = [probabilities];

        float[] Reference(Tensor x)
        {
            var convF = new float[convQ.Length];
            for (var i = 0; i < convQ.Length; i++)
            {
                convF[i] = convQ[i] * convScales[i / 27];
            }
            var c1 = Conv(x, convF, 3, 3, 3, [.. convBiasQ.Select(q => q * 0.01f)], 2, same: true, depthwise: false, Relu6);
            var d = Conv(c1, [.. dwQ.Select(q => (q - 128) * 0.004f)], 3, 3, 6, dwBias, 1, same: true, depthwise: true, Relu);
            var br = Conv(c1, branchWeights, 1, 1, 6, branchBias, 1, same: true, depthwise: false, Identity);
            var pooled = Pool(Pool(NhwcReference.Add(d, br), 2, 2, 1, same: false, max: true), 3, 3, 2, same: true, max: false);
            return FullyConnected(pooled, fcWeights, fcBias);
        }
        return (b, Reference);
    }

    /// <summary>AVERAGE_POOL over the whole map, RESHAPE to [1, C] and SOFTMAX: the head the converter needs to find logits.</summary>
    private static void AppendGlobalPoolHead(TfliteFileBuilder b, int features, int[] shape)
    {
        var pooled = b.Tensor("head/pool", [1, 1, 1, shape[3]], TensorType.Float32);
        b.Pool(BuiltinOperator.AveragePool2D, features, pooled, Padding.Valid, 1, shape[1], shape[2]);
        var flat = b.Tensor("head/flat", [1, shape[3]], TensorType.Float32);
        b.Reshape(pooled, flat, [1, shape[3]]);
        var softmax = b.Tensor("head/softmax", [1, shape[3]], TensorType.Float32);
        b.Softmax(flat, softmax);
        b.Outputs = [softmax];
    }

    private static ModelProto Convert(TfliteFileBuilder builder) =>
        TfliteToOnnxConverter.Convert(builder.Build(), "test.tflite", new TfliteImportOptions());

    private static float[] Floats(GraphProto graph, string name)
    {
        var raw = graph.Initializer.Single(t => t.Name == name).RawData.ToByteArray();
        return [.. Enumerable.Range(0, raw.Length / 4).Select(i => BitConverter.ToSingle(raw, i * 4))];
    }

    private static long[] ReadInt64s(TensorProto tensor)
    {
        var raw = tensor.RawData.ToByteArray();
        return [.. Enumerable.Range(0, raw.Length / 8).Select(i => BitConverter.ToInt64(raw, i * 8))];
    }
}

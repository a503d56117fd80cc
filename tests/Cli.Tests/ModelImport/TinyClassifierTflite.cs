using SaliencySlider.Cli.ModelImport.Schema;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>
/// The committed fixture tests/fixtures/models/tiny_classifier_quant.tflite: a fully quantized 5-class classifier shaped
/// like the Coral MobileNet (class 0 is "background"): uint8 input [1, 8, 8, 3], CONV_2D 3×3/2 SAME + RELU6, DEPTHWISE_CONV_2D
/// 3×3 SAME + RELU6, AVERAGE_POOL_2D 4×4 VALID, 1×1 CONV_2D head, RESHAPE, SOFTMAX; uint8 weights, int32 biases.
/// </summary>
internal static class TinyClassifierTflite
{
    public const string FileName = "tiny_classifier_quant.tflite";

    public static string CommittedPath => RepositoryPaths.Combine("tests/fixtures/models/" + FileName);

    public static string ReadmePath => RepositoryPaths.Combine("tests/fixtures/models/README.md");

    public static byte[] Build()
    {
        var b = new TfliteFileBuilder { LegacyOperatorCodes = true };
        var input = b.Tensor("input", [1, 8, 8, 3], TensorType.UInt8, scales: [1f / 128], zeroPoints: [128]);
        b.Inputs = [input];

        var convWeights = b.Tensor("tiny/Conv/weights_quant/FakeQuantWithMinMaxVars", [8, 3, 3, 3], TensorType.UInt8, Bytes(8 * 3 * 3 * 3, 7), [0.02f], [131]);
        var convBias = b.Int32Constant("tiny/Conv/Conv2D_Fold_bias", [8], Ints(8, 3), [0.02f / 128]);
        var conv = b.Activation("tiny/Conv/Relu6", [1, 4, 4, 8]);
        b.Conv2D(input, convWeights, convBias, conv, Padding.Same, 2, ActivationFunctionType.Relu6);

        var dwWeights = b.Tensor("tiny/depthwise/weights_quant/FakeQuantWithMinMaxVars", [1, 3, 3, 8], TensorType.UInt8, Bytes(3 * 3 * 8, 11), [0.05f], [120]);
        var dwBias = b.Int32Constant("tiny/depthwise/depthwise_Fold_bias", [8], Ints(8, 5), [0.05f * 0.0235f]);
        var depthwise = b.Activation("tiny/depthwise/Relu6", [1, 4, 4, 8]);
        b.DepthwiseConv2D(conv, dwWeights, dwBias, depthwise, Padding.Same, 1, 1, ActivationFunctionType.Relu6);

        var pooled = b.Activation("tiny/Logits/AvgPool", [1, 1, 1, 8]);
        b.Pool(BuiltinOperator.AveragePool2D, depthwise, pooled, Padding.Valid, 2, 4, 4);

        var headWeights = b.Tensor("tiny/Logits/Conv2d_1c_1x1/weights_quant/FakeQuantWithMinMaxVars", [5, 1, 1, 8], TensorType.UInt8, Bytes(5 * 8, 13), [0.03f], [127]);
        var headBias = b.Int32Constant("tiny/Logits/Conv2d_1c_1x1/Conv2D_bias", [5], Ints(5, 17), [0.03f * 0.0235f]);
        var logits = b.Activation("tiny/Logits/Conv2d_1c_1x1/BiasAdd", [1, 1, 1, 5]);
        b.Conv2D(pooled, headWeights, headBias, logits, Padding.Same, 1, ActivationFunctionType.None);

        var squeezed = b.Activation("tiny/Logits/SpatialSqueeze", [1, 5]);
        b.Reshape(logits, squeezed, [1, 5]);
        var predictions = b.Tensor("tiny/Predictions/Reshape_1", [1, 5], TensorType.UInt8, scales: [1f / 256], zeroPoints: [0]);
        b.Softmax(squeezed, predictions);
        b.Outputs = [predictions];
        return b.Build("saliency-slider test fixture: tiny quantized classifier");
    }

    /// <summary>Deterministic bytes spread over 0..255 (a fixed multiplicative sequence, no Random).</summary>
    private static byte[] Bytes(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (byte)(((i + seed) * 73) % 251))];

    private static int[] Ints(int count, int seed) => [.. Enumerable.Range(0, count).Select(i => (((i + seed) * 97) % 401) - 200)];
}

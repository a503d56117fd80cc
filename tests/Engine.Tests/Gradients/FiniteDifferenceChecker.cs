using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

/// <summary>
/// Checks the in-graph gradient against central finite differences of the forward model: the target
/// tensor becomes an extra graph input (its producer's output is renamed away), every other path still
/// runs from the image, and each element is nudged by ±ε (and ±ε/2, to recognise kinks of ReLU-like
/// functions, where a difference quotient is meaningless).
/// </summary>
internal static class FiniteDifferenceChecker
{
    private const float Epsilon = 4e-3f;
    private const float AbsoluteTolerance = 2e-3f;
    private const float RelativeTolerance = 2e-2f;
    private const int RowsPerRun = 2048;

    public static void AssertMatches(byte[] modelBytes, string? targetLayer, int[] targetClasses, int seed = 7)
    {
        using var model = ClassifierModel.Load(modelBytes, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var batch = targetClasses.Length;
        var input = RandomInput(batch * model.InputChannels * model.InputHeight * model.InputWidth, seed);
        var layer = targetLayer ?? model.DefaultTargetLayer;
        var result = model.ForwardWithGradients(input, batch, targetClasses, layer);

        Assert.Equal(model.Forward(input, batch), result.Logits);
        for (var b = 0; b < batch; b++)
        {
            var expected = targetClasses[b] >= 0 ? targetClasses[b] : ArgMax(result.Logits.AsSpan(b * model.ClassCount, model.ClassCount));
            Assert.Equal(expected, result.TargetClasses[b]);
        }

        var perImage = result.ActivationShape.Aggregate(1, (a, d) => a * d);
        Assert.Equal(batch * perImage, result.Gradients.Length);
        Assert.True(
            result.Gradients.Max(MathF.Abs) > 50 * AbsoluteTolerance,
            "the gradient is too small for the tolerances to catch a wrong rule; scale the test model up");

        var differences = FiniteDifferences(modelBytes, model, layer, input, result);
        var kinks = 0;
        var failures = new List<string>();
        for (var i = 0; i < differences.Length; i++)
        {
            var (wide, narrow) = differences[i];
            var tolerance = AbsoluteTolerance + (RelativeTolerance * Math.Max(Math.Abs(wide), Math.Abs(result.Gradients[i])));
            if (Math.Abs(wide - narrow) > tolerance / 2)
            {
                kinks++;
                continue;
            }

            if (Math.Abs(wide - result.Gradients[i]) > tolerance && failures.Count < 10)
            {
                failures.Add($"element {i} (image {i / perImage}, offset {i % perImage}): graph {result.Gradients[i]:G6}, finite difference {wide:G6}");
            }
        }

        Assert.True(failures.Count == 0, $"Gradient of '{layer}' differs from finite differences:\n{string.Join('\n', failures)}");
        Assert.True(kinks <= differences.Length / 50, $"{kinks} of {differences.Length} elements sit at a kink; the check is too weak");
    }

    public static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    private static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }

        return best;
    }

    /// <summary>(ε, ε/2) central differences of each image's target logit w.r.t. each activation element.</summary>
    private static (double Wide, double Narrow)[] FiniteDifferences(byte[] modelBytes, ClassifierModel model, string layer, float[] input, GradientBatch result)
    {
        using var session = new InferenceSession(TargetAsInput(modelBytes, layer, model.LogitsName));
        var imageSize = model.InputChannels * model.InputHeight * model.InputWidth;
        var perImage = result.ActivationShape.Aggregate(1, (a, d) => a * d);
        float[] offsets = [Epsilon, -Epsilon, Epsilon / 2, -Epsilon / 2];
        var rows = new List<(int Image, int Element, int Offset)>();
        for (var b = 0; b < result.BatchSize; b++)
        {
            for (var j = 0; j < perImage; j++)
            {
                for (var o = 0; o < offsets.Length; o++)
                {
                    rows.Add((b, j, o));
                }
            }
        }

        var logits = new double[rows.Count];
        for (var start = 0; start < rows.Count; start += RowsPerRun)
        {
            var chunk = rows.Skip(start).Take(RowsPerRun).ToList();
            var images = new float[chunk.Count * imageSize];
            var activations = new float[chunk.Count * perImage];
            for (var r = 0; r < chunk.Count; r++)
            {
                var (b, j, o) = chunk[r];
                Array.Copy(input, b * imageSize, images, r * imageSize, imageSize);
                Array.Copy(result.Activations, b * perImage, activations, r * perImage, perImage);
                activations[(r * perImage) + j] += offsets[o];
            }

            using var imageValue = OrtValue.CreateTensorValueFromMemory(images, [chunk.Count, model.InputChannels, model.InputHeight, model.InputWidth]);
            using var activationValue = OrtValue.CreateTensorValueFromMemory(activations, [chunk.Count, .. result.ActivationShape.Select(d => (long)d)]);
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [model.InputName, layer], [imageValue, activationValue], [model.LogitsName]);
            var values = outputs[0].GetTensorDataAsSpan<float>();
            for (var r = 0; r < chunk.Count; r++)
            {
                var b = chunk[r].Image;
                logits[start + r] = values[(r * model.ClassCount) + result.TargetClasses[b]];
            }
        }

        var differences = new (double, double)[result.BatchSize * perImage];
        for (var i = 0; i < differences.Length; i++)
        {
            var wide = (logits[4 * i] - logits[(4 * i) + 1]) / (2.0 * Epsilon);
            var narrow = (logits[(4 * i) + 2] - logits[(4 * i) + 3]) / (double)Epsilon;
            differences[i] = (wide, narrow);
        }

        return differences;
    }

    /// <summary>The model with <paramref name="layer"/> fed from outside and <paramref name="logits"/> as its only output.</summary>
    private static byte[] TargetAsInput(byte[] modelBytes, string layer, string logits)
    {
        var model = ModelProto.Parser.ParseFrom(modelBytes);
        var graph = model.Graph;
        var producer = graph.Node.Single(n => n.Output.Contains(layer));
        producer.Output[producer.Output.IndexOf(layer)] = layer + "__overridden";
        graph.Input.Add(new ValueInfoProto
        {
            Name = layer,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        graph.Output.Clear();
        graph.Output.Add(new ValueInfoProto
        {
            Name = logits,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        graph.ValueInfo.Clear();
        return model.ToByteArray();
    }
}

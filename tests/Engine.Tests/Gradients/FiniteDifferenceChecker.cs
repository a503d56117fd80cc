using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Tests.Gradients;

/// <summary>
/// Checks the in-graph gradient against central finite differences of the forward model: the target
/// tensor becomes an extra graph input (its producer's output is renamed away), every other path still
/// runs from the image, and each element is nudged by ±ε and ±ε/2. Elements where the quotients reveal a
/// kink (ReLU-like functions, ties of a maximum) are skipped, but only a few may be.
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

        var forward = model.Forward(input, batch);
        for (var i = 0; i < forward.Length; i++)
        {
            Assert.Equal(forward[i], result.Logits[i], 1e-4f * (1 + Math.Abs(forward[i])));
        }

        for (var b = 0; b < batch; b++)
        {
            var expected = targetClasses[b] >= 0 ? targetClasses[b] : PredictionBuilder.ArgMax(result.Logits.AsSpan(b * model.ClassCount, model.ClassCount));
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
            var d = differences[i];
            var tolerance = AbsoluteTolerance + (RelativeTolerance * Math.Max(Math.Abs(d.Central), Math.Abs(result.Gradients[i])));
            if (Math.Abs(d.Central - d.HalfStepCentral) > tolerance / 2 || Math.Abs(d.SlopeJump) > tolerance)
            {
                kinks++;
                continue;
            }

            if (Math.Abs(d.Central - result.Gradients[i]) > tolerance && failures.Count < 10)
            {
                failures.Add($"element {i} (image {i / perImage}, offset {i % perImage}): graph {result.Gradients[i]:G6}, finite difference {d.Central:G6}");
            }
        }

        Assert.True(failures.Count == 0, $"Gradient of '{layer}' differs from finite differences:\n{string.Join('\n', failures)}");
        Assert.True(kinks <= differences.Length / 40, $"{kinks} of {differences.Length} elements sit at a kink; the check is too weak");
    }

    public static float[] RandomInput(int count, int seed)
    {
        var random = new Random(seed);
        return Enumerable.Range(0, count).Select(_ => (float)((random.NextDouble() * 2) - 1)).ToArray();
    }

    /// <summary>Difference quotients of one image's target logit w.r.t. one activation element.</summary>
    /// <remarks>
    /// <see cref="SlopeJump"/> compares one-sided differences at ε and ε/2: smooth curvature cancels out
    /// (forward − backward ≈ ε·f″ at ε, half that at ε/2), a kink near the point does not.
    /// </remarks>
    private readonly record struct Differences(double Central, double HalfStepCentral, double SlopeJump);

    private static Differences[] FiniteDifferences(byte[] modelBytes, ClassifierModel model, string layer, float[] input, GradientBatch result)
    {
        using var session = new InferenceSession(TargetAsInput(modelBytes, layer, model.LogitsName));
        var imageSize = model.InputChannels * model.InputHeight * model.InputWidth;
        var perImage = result.ActivationShape.Aggregate(1, (a, d) => a * d);
        float[] offsets = [Epsilon, -Epsilon, Epsilon / 2, -Epsilon / 2, 0f];
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

        var differences = new Differences[result.BatchSize * perImage];
        for (var i = 0; i < differences.Length; i++)
        {
            var row = offsets.Length * i;
            var (plus, minus, halfPlus, halfMinus, unchanged) = (logits[row], logits[row + 1], logits[row + 2], logits[row + 3], logits[row + 4]);
            var curvature = (plus - unchanged - (unchanged - minus)) / Epsilon;
            var halfStepCurvature = (halfPlus - unchanged - (unchanged - halfMinus)) / (Epsilon / 2.0);
            differences[i] = new Differences(
                (plus - minus) / (2.0 * Epsilon),
                (halfPlus - halfMinus) / (double)Epsilon,
                curvature - (2 * halfStepCurvature));
        }

        return differences;
    }

    /// <summary>The model with <paramref name="layer"/> fed from outside and <paramref name="logits"/> as its only output.</summary>
    internal static byte[] TargetAsInput(byte[] modelBytes, string layer, string logits)
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

using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SaliencySlider.Cli;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Cli.Tests;

/// <summary>`saliency gradient-graph`: the written model runs in a plain ONNX Runtime session and returns the engine's gradients.</summary>
public sealed class GradientGraphCommandTests : IDisposable
{
    private readonly string _output = Directory.CreateTempSubdirectory("saliency-graph-").FullName;

    public void Dispose() => Directory.Delete(_output, recursive: true);

    [Fact]
    public async Task Written_graph_returns_the_same_logits_activations_and_gradients_as_the_engine()
    {
        var path = Path.Combine(_output, "grad.onnx");
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await CliApp.RunAsync(["gradient-graph", "--out", path], stdout, stderr);

        Assert.True(exitCode == CliApp.ExitOk, stderr.ToString());
        Assert.Contains("MobilenetV2/Conv_1/Relu6", stdout.ToString());
        var input = new float[2 * 3 * 224 * 224];
        var random = new Random(7);
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = (float)(random.NextDouble() * 2 - 1);
        }
        using var engine = ClassifierModel.Load(TestPaths.MobileNetOnnx, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
        var expected = engine.ForwardWithGradients(input, 2, [-1, 281]);

        using var session = new InferenceSession(path);
        using var results = session.Run(
        [
            NamedOnnxValue.CreateFromTensor("input", new DenseTensor<float>(input, [2, 3, 224, 224])),
            NamedOnnxValue.CreateFromTensor("saliency_target_class", new DenseTensor<long>(new long[] { -1, 281 }, [2])),
        ]);
        var byName = results.ToDictionary(r => r.Name);

        Assert.Equal(expected.TargetClasses.Select(c => (long)c), byName["saliency_target"].AsEnumerable<long>());
        Assert.Equal(281, expected.TargetClasses[1]);
        AssertClose(expected.Gradients, byName["saliency_grad"].AsEnumerable<float>().ToArray());
        AssertClose(expected.Activations, byName["MobilenetV2/Conv_1/Relu6"].AsEnumerable<float>().ToArray());
    }

    [Fact]
    public async Task Unknown_layer_exits_with_a_one_line_reason()
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();

        var exitCode = await CliApp.RunAsync(["gradient-graph", "--layer", "no/such/tensor", "--out", Path.Combine(_output, "x.onnx")], stdout, stderr);

        Assert.Equal(CliApp.ExitFailure, exitCode);
        Assert.Contains("no/such/tensor", stderr.ToString());
        Assert.Single(stderr.ToString().TrimEnd().Split('\n'));
    }

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = expected.Max(MathF.Abs);
        Assert.True(scale > 0);
        var worst = expected.Zip(actual, (e, a) => MathF.Abs(e - a)).Max();
        Assert.True(worst <= 1e-5f * scale, $"max |difference| {worst} vs scale {scale}");
    }
}

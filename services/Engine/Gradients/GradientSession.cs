using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Gradients;

/// <summary>Runs a gradient graph; ONNX Runtime writes the outputs straight into managed arrays.</summary>
internal sealed class GradientSession(InferenceSession session, GradientGraph graph, string inputName) : IDisposable
{
    private readonly string[] inputNames = [inputName, graph.TargetClassInput];
    private readonly string[] outputNames = [graph.LogitsOutput, graph.ActivationOutput, graph.TargetClassOutput, graph.GradientOutput];
    private readonly long[] activationTail = graph.ActivationShape[1..];

    public GradientBuffers Allocate(int batch, int classCount, long[] logitsTail)
    {
        var activationSize = (int)activationTail.Aggregate(1L, (a, b) => a * b);
        return new GradientBuffers(batch, classCount, logitsTail, activationTail, activationSize);
    }

    public unsafe void Run(ReadOnlySpan<float> input, long[] inputShape, ReadOnlySpan<int> targetClasses, GradientBuffers buffers, int firstImage)
    {
        var batch = (int)inputShape[0];
        var classes = new long[batch];
        for (var i = 0; i < batch; i++)
        {
            classes[i] = targetClasses[i];
        }

        fixed (float* data = input)
        {
            using var inputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, inputShape, (IntPtr)data, input.Length * sizeof(float));
            using var classValue = OrtValue.CreateTensorValueFromMemory(classes, [batch]);
            var chosen = new long[batch];
            using var logits = Slice(buffers.Logits, firstImage, batch, buffers.LogitsTail);
            using var activations = Slice(buffers.Activations, firstImage, batch, activationTail);
            using var chosenValue = OrtValue.CreateTensorValueFromMemory(chosen, [batch]);
            using var gradients = Slice(buffers.Gradients, firstImage, batch, activationTail);
            using var runOptions = new RunOptions();
            session.Run(runOptions, inputNames, [inputValue, classValue], outputNames, [logits, activations, chosenValue, gradients]);
            for (var i = 0; i < batch; i++)
            {
                buffers.TargetClasses[firstImage + i] = (int)chosen[i];
            }
        }
    }

    public void Dispose() => session.Dispose();

    private static OrtValue Slice(float[] array, int firstImage, int batch, long[] tail)
    {
        var perImage = (int)tail.Aggregate(1L, (a, b) => a * b);
        return OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, array.AsMemory(firstImage * perImage, batch * perImage), [batch, .. tail]);
    }
}

/// <summary>Managed arrays for a whole batch, filled one session run (or one image) at a time.</summary>
internal sealed class GradientBuffers(int batch, int classCount, long[] logitsTail, long[] activationTail, int activationSize)
{
    public long[] LogitsTail { get; } = logitsTail;

    public float[] Logits { get; } = new float[batch * classCount];

    public float[] Activations { get; } = new float[batch * activationSize];

    public float[] Gradients { get; } = new float[batch * activationSize];

    public int[] TargetClasses { get; } = new int[batch];

    public GradientBatch ToBatch() => new()
    {
        BatchSize = batch,
        ClassCount = classCount,
        Logits = Logits,
        TargetClasses = TargetClasses,
        ActivationShape = activationTail.Select(d => (int)d).ToArray(),
        Activations = Activations,
        Gradients = Gradients,
    };
}

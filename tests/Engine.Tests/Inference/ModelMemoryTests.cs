using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Onnx;
using SaliencySlider.Engine.Inference;
using SaliencySlider.TestSupport;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>
/// What a loaded model keeps in memory: nothing of the file's bytes, and its large weights once, the parsed model's own
/// memory, which every session reads rather than a copy of its own.
/// </summary>
public sealed class ModelMemoryTests
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    [Fact]
    public void A_loaded_model_keeps_nothing_of_the_file_bytes()
    {
        var (model, fileBytes) = LoadDroppingTheBytes();
        using (model)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();

            Assert.False(fileBytes.IsAlive);
            Assert.Equal(5, model.Forward(new float[3 * 6 * 6], 1).Length);
        }
    }

    [Fact]
    public void Only_float_weights_of_at_least_MinBytes_are_shared()
    {
        const int Floats = SharedWeights.MinBytes / sizeof(float);
        var m = new OnnxModelBuilder(seed: 170);
        var large = m.Weight([Floats]);
        m.Weight([Floats - 1]);
        m.Ints(new long[Floats]);
        var model = ModelProto.Parser.ParseFrom(m.Build());

        using var shared = SharedWeights.Of(model.Graph);

        Assert.Equal([large], shared.Names);
    }

    [Fact]
    public void A_session_reads_the_shared_weights_in_place()
    {
        const int Length = SharedWeights.MinBytes / sizeof(float) + 16;
        var m = new OnnxModelBuilder(seed: 171);
        var x = m.Input("x", [Length]);
        var bias = m.Weight([Length], scale: 1f);
        m.Output(m.Node("Add", [x, bias]));
        var model = ModelProto.Parser.ParseFrom(m.Build());
        var biasTensor = model.Graph.Initializer.Single(i => i.Name == bias);
        var biasValues = biasTensor.FloatData.ToArray();
        using var shared = SharedWeights.Of(model.Graph);
        using var session = new OrtSessionFactory(Cpu, null, shared).Create(model.ToByteArray());

        var before = Run(session, Length);
        // Only a session that reads the parsed model's bytes, not a copy of them, sees them change.
        MemoryMarshal.AsMemory(biasTensor.RawData.Memory).Span.Clear();
        var after = Run(session, Length);

        Assert.Equal(biasValues, before);
        Assert.All(after, v => Assert.Equal(0f, v));
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ClassifierModel Model, WeakReference FileBytes) LoadDroppingTheBytes()
    {
        var m = new OnnxModelBuilder(seed: 172);
        var x = m.Input("image", [3, 6, 6]);
        m.Output(m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 4)]), 4 * 36, 5));
        var bytes = m.Build();
        return (ClassifierModel.Load(bytes, Cpu), new WeakReference(bytes));
    }

    private static float[] Run(InferenceSession session, int length)
    {
        using var input = OrtValue.CreateTensorValueFromMemory(new float[length], [1, length]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
        return results[0].GetTensorDataAsSpan<float>().ToArray();
    }
}

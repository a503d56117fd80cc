using System.Runtime.CompilerServices;
using SaliencySlider.Engine.Inference;
using SaliencySlider.TestSupport;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>What a loaded model keeps in memory.</summary>
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

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (ClassifierModel Model, WeakReference FileBytes) LoadDroppingTheBytes()
    {
        var m = new OnnxModelBuilder(seed: 172);
        var x = m.Input("image", [3, 6, 6]);
        m.Output(m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 4)]), 4 * 36, 5));
        var bytes = m.Build();
        return (ClassifierModel.Load(bytes, Cpu), new WeakReference(bytes));
    }
}

using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Tests.Support;

/// <summary>The shared MobileNetV2 loaded once (CPU) through the repository manifest, for a test class.</summary>
public sealed class MobileNetFixture : IDisposable
{
    public MobileNetFixture()
    {
        var entry = ModelEntry.FromManifest(TestPaths.MobileNetManifest, TestPaths.ModelDirectory);
        Model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
    }

    public ExplainerModel Model { get; }

    public void Dispose() => Model.Dispose();
}

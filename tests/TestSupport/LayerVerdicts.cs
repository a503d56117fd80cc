using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.TestSupport;

/// <summary>The gateway's verdict on target layers (<see cref="ModelGraph"/>) against the worker's gradient graph builder.</summary>
internal static class LayerVerdicts
{
    /// <summary>Every <paramref name="sampleEvery"/>-th tensor the nodes compute (in name order), the image input and a made-up name.</summary>
    public static void AssertAgreement(ModelGraph graph, ClassifierModel model, int sampleEvery)
    {
        var shapes = Published(model);
        var layers = model.NodeOutputFacts().Select(f => f.Key).Where((_, i) => i % sampleEvery == 0).Append(model.InputName).Append("no/such/layer").ToList();
        Assert.True(layers.Count >= 8, $"only {layers.Count} layers sampled");
        var refused = 0;
        foreach (var layer in layers)
        {
            string? worker = null;
            try
            {
                model.GradientModelBytes(layer);
            }
            catch (UnsupportedModelException e)
            {
                worker = e.Message;
            }

            var structure = graph.WhyNot(layer, gradients: false);
            var gateway = structure ?? graph.BuildRefusal(layer, gradients: true, shapes);
            Assert.True((gateway is null) == (worker is null), $"{layer}: the gateway says {gateway ?? "yes"}, the worker {worker ?? "yes"}");
            if (structure is null && worker is not null)
            {
                Assert.Equal(worker, gateway);
            }

            refused += worker is null ? 0 : 1;
        }

        Assert.InRange(refused, 1, layers.Count - 1);
    }

    /// <summary>What a worker publishes, through the text Redis stores.</summary>
    public static LayerShapes Published(ClassifierModel model) => LayerShapes.TryDecode(LayerShapes.Of(model).Encode())!;
}

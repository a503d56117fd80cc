using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Gradients;

public sealed class UnsupportedModelTests
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    [Theory]
    [InlineData("Sin")]
    [InlineData("LRN")]
    public void Operator_without_a_backward_rule_on_the_path_is_named(string opType)
    {
        var m = new OnnxModelBuilder(seed: 70);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Node("Relu", [m.Stem(x, 3, 4)]);
        var odd = opType == "LRN" ? m.Node("LRN", [target], Attr.Int("size", 3)) : m.Node(opType, [target]);
        var later = m.Node("Relu", [m.Conv(odd, 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.ClassifierHead(later, 4 * 25, 3));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.Equal(later, model.DefaultTargetLayer);
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], target));
        Assert.Contains(opType, error.Message);
        Assert.Contains(m.NodeNameOf(odd), error.Message);
        Assert.Contains("EigenCAM", error.Message);

        // A later layer avoids the operator, and the failure above did not poison the session cache.
        Assert.NotEmpty(model.ForwardWithGradients(new float[75], 1, [-1], later).Gradients);
        Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], target));
    }

    [Theory]
    [InlineData(CamMethodKind.EigenCam)]
    [InlineData(CamMethodKind.ScoreCam)]
    public async Task Gradient_free_methods_explain_a_layer_behind_an_operator_without_a_backward_rule(CamMethodKind method)
    {
        var m = new OnnxModelBuilder(seed: 74);
        var target = m.Node("Relu", [m.Conv(m.Input("image", [3, 8, 8]), 3, 4, 2, Attr.Ints("strides", [2, 2]))]);
        var later = m.Node("Relu", [m.Conv(m.Node("Sin", [target]), 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.PooledHead(later, 4, 16, 3));
        var manifest = new ModelManifest { Onnx = "x.onnx", InputWidth = 8, InputHeight = 8 };
        using var model = new ExplainerModel(new ModelEntry { Name = "sin", Manifest = manifest, OnnxPath = "x.onnx", Labels = [] }, ClassifierModel.Load(m.Build(), Cpu));
        var explainer = new Explainer(model);
        var image = TestImages.EncodePng(TestImages.Gradient(8, 8));

        var events = new List<ExplainEvent>();
        await foreach (var e in explainer.ExplainAsync(image, new ExplainSettings { FrameCount = 2, Method = method, TargetLayer = target }))
        {
            events.Add(e);
        }

        var ready = Assert.Single(events.OfType<ExplanationReady>());
        Assert.Equal((4, 4), (ready.CamWidth, ready.CamHeight));
        Assert.IsType<ExplanationCompleted>(events[^1]);
        var refusal = await Assert.ThrowsAsync<UnsupportedModelException>(async () =>
        {
            await foreach (var e in explainer.ExplainAsync(image, new ExplainSettings { FrameCount = 2, Method = CamMethodKind.GradCam, TargetLayer = target }))
            {
            }
        });
        Assert.Contains("operator Sin", refusal.Message);
    }

    [Fact]
    public void Unknown_target_layer_lists_candidates()
    {
        var m = new OnnxModelBuilder(seed: 71);
        var x = m.Input("image", [3, 5, 5]);
        var target = m.Node("Relu", [m.Stem(x, 3, 4)]);
        m.Output(m.ClassifierHead(target, 4 * 25, 3));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], "no/such/layer"));
        Assert.Contains("no/such/layer", error.Message);
        Assert.Contains(target, error.Message);
        Assert.Throws<ArgumentException>(() => model.TensorShape("no/such/layer"));
    }

    [Fact]
    public void Tensor_after_the_logits_is_refused()
    {
        var m = new OnnxModelBuilder(seed: 72);
        var x = m.Input("image", [3, 5, 5]);
        var logits = m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 4)]), 4 * 25, 3);
        var probabilities = m.Node("Softmax", [logits], Attr.Int("axis", 1));
        m.Output(probabilities);

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], probabilities));
        Assert.Contains("between the input and the logits", error.Message);
        error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], logits));
        Assert.Contains("logits", error.Message);
    }

    [Fact]
    public void Convolution_whose_weights_depend_on_the_target_is_refused()
    {
        var m = new OnnxModelBuilder(seed: 73);
        var x = m.Input("image", [1, 4, 4]);
        var target = m.Node("Tanh", [x]);
        var conv = m.Node("Conv", [m.Stem(x, 1, 1), target]);
        m.Output(m.ClassifierHead(conv, 1, 1));

        using var model = ClassifierModel.Load(m.Build(), Cpu);
        var error = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[16], 1, [-1], target));
        Assert.Contains("Conv", error.Message);
        Assert.Contains("weights", error.Message);
    }
}

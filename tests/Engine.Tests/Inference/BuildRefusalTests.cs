using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Gradients;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>
/// The gateway's verdict on a target layer (<see cref="ModelGraph"/> on the weightless graph, with the facts a worker
/// publishes through Redis) against the worker's gradient graph builder on the whole model: for every tensor of the
/// test and served models, and for layers only node attributes or the target's own data flow refuse.
/// </summary>
public sealed class BuildRefusalTests
{
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    public static TheoryData<string> TestModels()
    {
        var cases = new TheoryData<string>();
        foreach (var family in new[] { "vit", "swin", "convnext", "maxvit" })
        {
            cases.Add($"fixture:{family}:13");
            cases.Add($"fixture:{family}:17");
        }

        foreach (var file in new[] { "convnext.onnx", "swin.onnx", "vit_opset13.onnx", "vit_opset17.onnx" })
        {
            cases.Add($"exported:{file}");
        }

        return cases;
    }

    [Theory]
    [MemberData(nameof(TestModels))]
    public void The_gateway_refuses_every_tensor_of_the_test_models_the_builder_refuses_and_no_other(string name)
    {
        var parts = name.Split(':');
        var bytes = parts[0] == "fixture"
            ? TransformerGraphGradientTests.Fixture(parts[1], int.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture))
            : File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "TestModels", "Exported", parts[1]));
        using var model = ClassifierModel.Load(bytes, Cpu);
        using var stream = new MemoryStream(bytes);

        LayerVerdicts.AssertAgreement(ModelGraph.Read(stream), model, sampleEvery: 1);
    }

    /// <summary>The iNaturalist models' half of this is in tests/Cli.Tests, which converts them.</summary>
    [Fact]
    public void The_gateway_refuses_what_the_builder_refuses_on_the_default_model()
    {
        using var mobileNet = ClassifierModel.Load(TestPaths.MobileNetOnnx, Cpu);
        LayerVerdicts.AssertAgreement(ModelGraph.Load(TestPaths.MobileNetOnnx), mobileNet, sampleEvery: 3);
    }

    [Fact]
    public void A_concat_along_the_batch_axis_is_refused_with_the_builders_reason()
    {
        var m = new OnnxModelBuilder(seed: 90);
        var target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        var concat = m.Node("Concat", [target, target], Attr.Int("axis", 0));
        var back = m.Node("Reshape", [concat, m.Ints(-1, 8, 5, 5)]);
        var later = m.Node("Relu", [m.Conv(back, 8, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.ClassifierHead(later, 4 * 25, 3));

        AssertRefusedAtSubmit(m, target, later, $"Concat node '{m.NodeNameOf(concat)}': it concatenates along the batch axis");
    }

    [Fact]
    public void A_power_whose_exponent_depends_on_the_target_is_refused_with_the_builders_reason()
    {
        var m = new OnnxModelBuilder(seed: 91);
        var target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        var power = m.Node("Pow", [m.Node("Sigmoid", [target]), target]);
        var later = m.Node("Relu", [m.Conv(power, 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.ClassifierHead(later, 4 * 25, 3));

        AssertRefusedAtSubmit(m, target, later, $"Pow node '{m.NodeNameOf(power)}': its exponent depends on the target layer");
    }

    [Fact]
    public void A_convolution_whose_weights_are_computed_from_the_target_is_refused_with_the_builders_reason()
    {
        var m = new OnnxModelBuilder(seed: 92);
        var image = m.Input("image", [3, 5, 5]);
        var target = m.Node("Relu", [m.Stem(image, 3, 4)]);
        var features = m.Stem(image, 3, 4);
        var conv = m.Node("Conv", [features, target], Attr.Ints("pads", [2, 2, 2, 2]));
        var later = m.Node("Relu", [m.Conv(conv, 1, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.ClassifierHead(later, 4 * 25, 3));

        AssertRefusedAtSubmit(m, target, later, $"Conv node '{m.NodeNameOf(conv)}': its weights or bias depend on the target layer");
    }

    [Fact]
    public void Without_published_element_types_only_the_operators_are_judged()
    {
        var m = new OnnxModelBuilder(seed: 93);
        var target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        var power = m.Node("Pow", [m.Node("Sigmoid", [target]), target]);
        m.Output(m.ClassifierHead(power, 4 * 25, 3));
        using var stream = new MemoryStream(m.Build());
        var graph = ModelGraph.Read(stream);
        using var model = ClassifierModel.Load(m.Build(), Cpu);
        var published = LayerShapes.Of(model);

        Assert.Null(graph.BuildRefusal(target, gradients: true, published with { ElementTypes = null }));
        Assert.NotNull(graph.BuildRefusal(target, gradients: true, published));
    }

    private static void AssertRefusedAtSubmit(OnnxModelBuilder m, string target, string later, string reason)
    {
        using var model = ClassifierModel.Load(m.Build(), Cpu);
        using var stream = new MemoryStream(m.Build());
        var graph = ModelGraph.Read(stream);
        var shapes = LayerVerdicts.Published(model);

        // The operators all have backward rules: the structure alone lets the layer through.
        Assert.Null(graph.WhyNot(target, gradients: true));
        var refusal = graph.BuildRefusal(target, gradients: true, shapes);
        Assert.NotNull(refusal);
        Assert.Contains(reason, refusal);
        Assert.Equal(Assert.Throws<UnsupportedModelException>(() => model.GradientModelBytes(target)).Message, refusal);
        Assert.Null(graph.BuildRefusal(target, gradients: false, shapes));
        Assert.Null(graph.BuildRefusal(later, gradients: true, shapes));
        Assert.NotEmpty(model.GradientModelBytes(later));
        LayerVerdicts.AssertAgreement(graph, model, sampleEvery: 1);
    }

}

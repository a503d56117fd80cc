using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Tests.Gradients;

namespace SaliencySlider.Engine.Tests.Inference;

/// <summary>The check the gateway makes at Submit, from the graph alone, against what the worker refuses.</summary>
public sealed class ModelGraphTests
{
    private const string MobileNetDefault = "MobilenetV2/Conv_1/Relu6";
    private static readonly ClassifierModelOptions Cpu = new() { Provider = ExecutionProviderPreference.Cpu };

    [Fact]
    public void Unknown_layer_is_no_tensor_of_the_model()
    {
        var m = new OnnxModelBuilder(seed: 80);
        var target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        m.Output(m.ClassifierHead(target, 4 * 25, 3));

        var graph = Read(m);

        Assert.Equal("no tensor of the model has that name", graph.WhyNot("no/such/layer", gradients: true));
        Assert.Equal("no tensor of the model has that name", graph.WhyNot("no/such/layer", gradients: false));
        Assert.Null(graph.WhyNot(target, gradients: true));
    }

    [Fact]
    public void Layers_after_the_logits_are_refused_as_the_worker_refuses_them()
    {
        var m = new OnnxModelBuilder(seed: 81);
        var x = m.Input("image", [3, 5, 5]);
        var logits = m.ClassifierHead(m.Node("Relu", [m.Stem(x, 3, 4)]), 4 * 25, 3);
        var probabilities = m.Node("Softmax", [logits], Attr.Int("axis", 1));
        m.Output(probabilities);

        var graph = Read(m);

        Assert.Equal(logits, graph.LogitsName);
        Assert.Equal("it does not lie between the input and the logits", graph.WhyNot(probabilities, gradients: false));
        Assert.Equal("it is the logits tensor itself", graph.WhyNot(logits, gradients: false));
        using var model = ClassifierModel.Load(m.Build(), Cpu);
        var refusal = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], probabilities));
        Assert.Contains(graph.WhyNot(probabilities, gradients: true)!, refusal.Message);
    }

    [Fact]
    public void Operator_without_backward_rule_refuses_gradient_methods_only()
    {
        var m = new OnnxModelBuilder(seed: 82);
        var target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        var odd = m.Node("Sin", [target]);
        var conv = m.Conv(odd, 4, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]));
        var later = m.Node("Relu", [conv]);
        m.Output(m.ClassifierHead(later, 4 * 25, 3));

        var graph = Read(m);

        var reason = graph.WhyNot(target, gradients: true);
        Assert.NotNull(reason);
        Assert.Contains($"operator Sin (node '{m.NodeNameOf(odd)}')", reason);
        Assert.Null(graph.WhyNot(target, gradients: false));
        Assert.Null(graph.WhyNot(later, gradients: true));
        Assert.Equal([later, conv, odd], graph.Candidates(later, gradients: true, count: 5));
        Assert.Equal([later, conv, odd, target], graph.Candidates(later, gradients: false, count: 4));

        // The worker refuses with the same words, and runs the layer for a gradient-free method.
        using var model = ClassifierModel.Load(m.Build(), Cpu);
        var refusal = Assert.Throws<UnsupportedModelException>(() => model.ForwardWithGradients(new float[75], 1, [-1], target));
        Assert.Contains(reason, refusal.Message);
        var batch = model.ForwardWithGradients(new float[75], 1, [-1], target, gradients: false);
        Assert.Equal([4, 5, 5], batch.ActivationShape);
        Assert.All(batch.Gradients, g => Assert.Equal(0f, g));
    }

    [Fact]
    public void Shape_computations_fed_by_the_layer_are_not_on_the_backward_path()
    {
        // Reshape(x, Concat(Gather(Shape(x), [0]), [-1])): Shape has no backward rule, but it yields integers.
        var m = new OnnxModelBuilder(seed: 83);
        var target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        var batch = m.Node("Gather", [m.Node("Shape", [target]), m.Ints(0)], Attr.Int("axis", 0));
        var flat = m.Node("Reshape", [target, m.Node("Concat", [batch, m.Ints(-1)], Attr.Int("axis", 0))]);
        m.Output(m.Dense(flat, 4 * 25, 3));

        var graph = Read(m);

        Assert.Null(graph.WhyNot(target, gradients: true));
        using var model = ClassifierModel.Load(m.Build(), Cpu);
        Assert.NotEmpty(model.ForwardWithGradients(new float[75], 1, [-1], target).Gradients);
    }

    [Fact]
    public void MobileNet_default_layer_and_earlier_ones_are_explainable()
    {
        var graph = ModelGraph.Load(TestPaths.MobileNetOnnx);

        Assert.Equal("input", graph.InputName);
        Assert.Null(graph.WhyNot(MobileNetDefault, gradients: true));
        Assert.Null(graph.WhyNot("MobilenetV2/expanded_conv_16/expand/Relu6", gradients: true));
        Assert.Equal("no tensor of the model has that name", graph.WhyNot("MobilenetV2/Conv_1/Relu7", gradients: true));
        var candidates = graph.Candidates(MobileNetDefault, gradients: true, count: 3);
        Assert.Equal([MobileNetDefault, "MobilenetV2/Conv_1/BiasAdd", "MobilenetV2/expanded_conv_16/project/add_fold"], candidates);
        Assert.Equal(candidates, graph.Candidates(null, gradients: true, count: 3));
    }

    public static TheoryData<string, int> Transformers()
    {
        var cases = new TheoryData<string, int>();
        foreach (var family in new[] { "vit", "swin", "convnext", "maxvit" })
        {
            cases.Add(family, 13);
            cases.Add(family, 17);
        }

        return cases;
    }

    /// <summary>Over every layer that reads as a grid, the graph alone refuses a gradient method exactly where the worker does.</summary>
    [Theory]
    [MemberData(nameof(Transformers))]
    public void The_graph_alone_refuses_what_the_worker_refuses(string family, int opset)
    {
        var bytes = TransformerGraphGradientTests.Fixture(family, opset);
        using var stream = new MemoryStream(bytes);
        var graph = ModelGraph.Read(stream);
        using var model = ClassifierModel.Load(bytes, Cpu);

        Assert.Equal(model.LogitsName, graph.LogitsName);
        Assert.Null(graph.WhyNot(model.DefaultTargetLayer, gradients: true));
        foreach (var layer in model.CandidateTargetLayers().Append("target").Append("early"))
        {
            string? workerRefusal = null;
            try
            {
                model.GradientModelBytes(layer);
            }
            catch (UnsupportedModelException e)
            {
                workerRefusal = e.Message;
            }

            var reason = graph.WhyNot(layer, gradients: true);
            Assert.True((reason is null) == (workerRefusal is null), $"{layer}: the graph says {reason ?? "yes"}, the worker {workerRefusal ?? "yes"}");
        }
    }

    private static ModelGraph Read(OnnxModelBuilder builder)
    {
        using var stream = new MemoryStream(builder.Build());
        return ModelGraph.Read(stream);
    }
}

using Google.Protobuf;
using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Gradients;

/// <summary>A model that returns logits, target activations, the chosen classes and d(score)/d(activations).</summary>
internal sealed record GradientGraph(
    byte[] ModelBytes,
    string LogitsOutput,
    string ActivationOutput,
    string GradientOutput,
    string TargetClassInput,
    string TargetClassOutput,
    long[] ActivationShape);

/// <summary>
/// Graph surgery: exposes a target tensor and appends the backward pass from the logits to it as
/// ordinary ONNX nodes, seeded by a one-hot of the target class (given per image, or the top-1). Without
/// gradients (for gradient-free methods) the gradient output is zeros and no backward pass is written.
/// </summary>
internal static class GradientGraphBuilder
{
    public const string TargetClassInput = "saliency_target_class";
    public const string TargetClassOutput = "saliency_target";
    public const string GradientOutput = "saliency_grad";
    public const string Prefix = "saliency_bw/";

    public static GradientGraph Build(
        ModelProto batchModel,
        IReadOnlyDictionary<string, TensorFacts> facts,
        string inputName,
        string logitsName,
        string target,
        bool gradients = true)
    {
        var model = Write(batchModel, facts, inputName, logitsName, target, gradients, out var activationOutput);
        return new GradientGraph(model.ToByteArray(), logitsName, activationOutput, GradientOutput, TargetClassInput, TargetClassOutput, facts[target].Shape);
    }

    /// <summary>
    /// Why <see cref="Build"/> refuses the target, or null when it builds: the same surgery, not serialized. The gateway
    /// runs it at Submit on the weightless graph (<see cref="ModelGraph"/>) with the facts the workers measured.
    /// </summary>
    public static string? Refusal(
        ModelProto batchModel,
        IReadOnlyDictionary<string, TensorFacts> facts,
        string inputName,
        string logitsName,
        string target,
        bool gradients)
    {
        try
        {
            Write(batchModel, facts, inputName, logitsName, target, gradients, out _);
            return null;
        }
        catch (UnsupportedModelException e)
        {
            return e.Message;
        }
    }

    private static ModelProto Write(
        ModelProto batchModel,
        IReadOnlyDictionary<string, TensorFacts> facts,
        string inputName,
        string logitsName,
        string target,
        bool gradients,
        out string activationOutput)
    {
        var model = batchModel.Clone();
        OnnxModelLoader.RaiseOpsetForGradients(model);
        var opset = OnnxModelLoader.DefaultDomainOpset(model);
        var graph = model.Graph;
        var index = new OnnxGraphIndex(graph);
        RequireUsableTarget(index, facts, inputName, logitsName, target);

        HashSet<string> dependsOnTarget = [];
        var pathNodes = gradients ? ExplainableLayer.PathNodes(index, t => IsFloat(facts, t), logitsName, target, out dependsOnTarget) : [];

        var emit = new GraphEmitter(graph, Prefix);
        var classes = EmitTargetClasses(emit, facts, logitsName, out var seed);

        var gradientTerms = new Dictionary<string, List<string>>(StringComparer.Ordinal) { [logitsName] = [seed] };
        for (var i = pathNodes.Count - 1; i >= 0; i--)
        {
            var node = pathNodes[i];
            var outputGradients = node.Output
                .Select(o => gradientTerms.TryGetValue(o, out var terms) ? emit.Sum(terms) : null)
                .ToArray();
            if (outputGradients.All(g => g is null))
            {
                continue;
            }

            var needs = node.Input.Select(input => input.Length > 0 && dependsOnTarget.Contains(input)).ToArray();
            var context = new BackwardContext(node, emit, index, facts, outputGradients, needs, opset);
            if (!ExplainableLayer.HasBackwardRule(node))
            {
                throw new UnsupportedModelException($"Cannot explain target layer '{target}' with gradients: {ExplainableLayer.NoBackwardRule(node)}.");
            }

            BackwardRules.Table[node.OpType](context);
            for (var input = 0; input < needs.Length; input++)
            {
                if (!needs[input])
                {
                    continue;
                }

                var gradient = context.InputGradients[input]
                    ?? throw context.Unsupported($"no gradient rule for its input #{input} ('{node.Input[input]}')");
                if (!gradientTerms.TryGetValue(node.Input[input], out var terms))
                {
                    terms = [];
                    gradientTerms[node.Input[input]] = terms;
                }

                terms.Add(gradient);
            }
        }

        string targetGradient;
        if (!gradients)
        {
            // ConstantOfShape's default value is a float 0.
            targetGradient = emit.Node("ConstantOfShape", [emit.Shape(target)]);
        }
        else if (gradientTerms.TryGetValue(target, out var targetTerms))
        {
            targetGradient = emit.Sum(targetTerms);
        }
        else
        {
            throw new UnsupportedModelException($"The logits do not depend on target layer '{target}' through differentiable operators.");
        }

        graph.Node.Add(new NodeProto
        {
            OpType = "Identity",
            Name = Prefix + "gradient_output",
            Input = { targetGradient },
            Output = { GradientOutput },
        });

        activationOutput = target;
        if (graph.Input.Any(i => i.Name == target))
        {
            activationOutput = Prefix + "activation";
            graph.Node.Add(new NodeProto { OpType = "Identity", Name = Prefix + "activation_output", Input = { target }, Output = { activationOutput } });
        }

        graph.Node.Add(new NodeProto { OpType = "Identity", Name = Prefix + "target_output", Input = { classes }, Output = { TargetClassOutput } });
        graph.Output.Clear();
        graph.Output.Add(TensorInfo(logitsName, TensorProto.Types.DataType.Float));
        graph.Output.Add(TensorInfo(activationOutput, TensorProto.Types.DataType.Float));
        graph.Output.Add(TensorInfo(TargetClassOutput, TensorProto.Types.DataType.Int64));
        graph.Output.Add(TensorInfo(GradientOutput, TensorProto.Types.DataType.Float));
        return model;
    }

    /// <summary>Adds the class input and returns the chosen classes; <paramref name="seed"/> is their one-hot, shaped like the logits.</summary>
    private static string EmitTargetClasses(GraphEmitter emit, IReadOnlyDictionary<string, TensorFacts> facts, string logitsName, out string seed)
    {
        var classInput = new ValueInfoProto { Name = TargetClassInput, Type = TensorType(TensorProto.Types.DataType.Int64) };
        classInput.Type.TensorType.Shape = new TensorShapeProto { Dim = { new TensorShapeProto.Types.Dimension { DimParam = OnnxModelLoader.BatchDimName } } };
        emit.Graph.Input.Add(classInput);

        var logitsShape = facts[logitsName].Shape;
        var classCount = logitsShape.Skip(1).Aggregate(1L, (a, b) => a * b);
        var flatLogits = logitsShape.Length == 2 ? logitsName : emit.Node("Flatten", [logitsName], Attr.Int("axis", 1));
        var topClass = emit.Node("ArgMax", [flatLogits], Attr.Int("axis", 1), Attr.Int("keepdims", 0));
        var useTop = emit.Node("Less", [TargetClassInput, emit.ScalarInt(0)]);
        var classes = emit.Node("Where", [useTop, topClass, TargetClassInput]);
        var oneHot = emit.Node("OneHot", [classes, emit.Ints(classCount), emit.Floats([0f, 1f], [2])], Attr.Int("axis", -1));
        seed = logitsShape.Length == 2 ? oneHot : emit.ReshapeLike(oneHot, logitsName);
        return classes;
    }

    private static void RequireUsableTarget(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorFacts> facts, string inputName, string logitsName, string target)
    {
        if (ExplainableLayer.Unusable(index, t => IsFloat(facts, t), inputName, logitsName, target) is not { } reason)
        {
            return;
        }

        var candidates = TargetLayerSelector.SpatialActivationsOnPath(index, facts, inputName, logitsName).TakeLast(6);
        throw new UnsupportedModelException(
            $"Cannot explain target layer '{target}': {reason}. Layers that read as a grid (NCHW, NHWC or tokens): {string.Join(", ", candidates)}.");
    }

    private static bool IsFloat(IReadOnlyDictionary<string, TensorFacts> facts, string tensor) => facts.TryGetValue(tensor, out var f) && f.IsFloat;

    private static ValueInfoProto TensorInfo(string name, TensorProto.Types.DataType type) => new() { Name = name, Type = TensorType(type) };

    private static TypeProto TensorType(TensorProto.Types.DataType type)
        => new() { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type } };
}

using Onnx;
using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.Engine.Inference;

/// <summary>
/// Which tensors of a graph can be explained, judged from its structure: the rules the gradient graph builder
/// applies (with the element types of a run) and the gateway applies before it queues a job (with
/// <see cref="ModelGraph"/>'s types), so both refuse the same layers with the same words.
/// </summary>
internal static class ExplainableLayer
{
    /// <summary>Why <paramref name="target"/> cannot be explained by any method, or null when it lies where a target layer must.</summary>
    public static string? Unusable(OnnxGraphIndex index, Func<string, bool> isFloat, string inputName, string logitsName, string target)
    {
        return !index.IsTensor(target) ? "no tensor of the model has that name"
            : target == logitsName ? "it is the logits tensor itself"
            : !index.DownstreamOf(inputName).Contains(target) || !index.UpstreamOf(logitsName).Contains(target) ? "it does not lie between the input and the logits"
            : !isFloat(target) ? "it is not a float tensor"
            : null;
    }

    /// <summary>
    /// The nodes the backward pass from the logits to <paramref name="target"/> goes through, in graph order:
    /// those that read a float tensor computed from the target and compute one that reaches the logits.
    /// </summary>
    public static List<NodeProto> PathNodes(OnnxGraphIndex index, Func<string, bool> isFloat, string logitsName, string target, out HashSet<string> dependsOnTarget)
    {
        var downstream = index.DownstreamOf(target, isFloat);
        var reachesLogits = index.UpstreamOf(logitsName);
        dependsOnTarget = downstream;
        return [.. index.Graph.Node.Where(n => n.Input.Any(downstream.Contains) && n.Output.Any(o => downstream.Contains(o) && reachesLogits.Contains(o)))];
    }

    public static bool HasBackwardRule(NodeProto node) => node.Domain is "" or "ai.onnx" && BackwardRules.Table.ContainsKey(node.OpType);

    /// <summary>The node without a backward rule that the backward pass meets first (the last in graph order), or null.</summary>
    public static NodeProto? FirstWithoutBackwardRule(IEnumerable<NodeProto> pathNodes) => pathNodes.LastOrDefault(n => !HasBackwardRule(n));

    /// <summary>What to do instead when the backward pass to a layer meets an operator it cannot differentiate.</summary>
    public const string BackwardRemedy = "choose a later target layer, or a gradient-free method (EigenCAM, Score-CAM)";

    /// <summary>Why a gradient method cannot explain a layer whose backward pass would go through <paramref name="node"/>.</summary>
    public static string NoBackwardRule(NodeProto node)
        => $"operator {node.OpType} (node '{OnnxGraphIndex.Describe(node)}') lies between it and the logits and has no backward rule; {BackwardRemedy}";
}

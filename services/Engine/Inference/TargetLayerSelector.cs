using Onnx;
using SaliencySlider.Engine.Cam;

namespace SaliencySlider.Engine.Inference;

/// <summary>Picks the default layer to explain and lists plausible ones (the rules are stated in models/README.md).</summary>
internal static class TargetLayerSelector
{
    /// <summary>Operators that only move or drop values: a tensor they turn into the same grid is the same layer.</summary>
    private static readonly HashSet<string> LayoutOperators = new(StringComparer.Ordinal)
    {
        "Transpose", "Reshape", "Flatten", "Squeeze", "Unsqueeze", "Identity", "Slice",
    };

    /// <summary>
    /// The last grid tensor on the path from the input to the logits that a consumer reduces (pools, flattens,
    /// downsamples). When that consumer picks tokens (Gather, Slice: a ViT's class token) rather than pooling them,
    /// the other tokens reach the logits only through attention, so the layer is the last LayerNorm output that
    /// feeds a token-mixing MatMul (a ViT's last ln_1). Tensors that a layout operator merely rearranges are traced
    /// back to their source. Empty when the graph has no grid tensor.
    /// </summary>
    public static string SelectDefault(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorFacts> facts, string inputName, string logitsName)
    {
        var grids = GridsOnPath(index, facts, inputName, logitsName);
        if (grids.Count == 0)
        {
            return "";
        }

        var onPath = index.UpstreamOf(logitsName);
        for (var i = grids.Count - 1; i >= 0; i--)
        {
            var (candidate, grid) = grids.GetAt(i);
            var reducer = index.Consumers(candidate).FirstOrDefault(c => c.Output.Any(o => onPath.Contains(o)
                && facts.TryGetValue(o, out var f) && f.IsFloat
                && (!grids.TryGetValue(o, out var next) || next.Positions < grid.Positions)));
            if (reducer is null)
            {
                continue;
            }

            var chosen = reducer.OpType is "Gather" or "Slice"
                ? LastMixedNormalization(index, grids, inputName, onPath, i) ?? candidate
                : candidate;
            return SourceOfSameGrid(index, grids, chosen);
        }

        return grids.GetAt(grids.Count - 1).Key;
    }

    /// <summary>Tensors between the input and the logits that <see cref="TargetGrid.Infer"/> reads as a grid of more than one cell, in node order.</summary>
    public static List<string> SpatialActivationsOnPath(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorFacts> facts, string inputName, string logitsName)
        => [.. GridsOnPath(index, facts, inputName, logitsName).Keys];

    private static OrderedDictionary<string, TargetGrid> GridsOnPath(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorFacts> facts, string inputName, string logitsName)
    {
        var input = facts[inputName].Shape;
        var (inputHeight, inputWidth) = ((int)input[2], (int)input[3]);
        var fromInput = index.DownstreamOf(inputName);
        var toLogits = index.UpstreamOf(logitsName);
        var grids = new OrderedDictionary<string, TargetGrid>(StringComparer.Ordinal);
        foreach (var tensor in index.NodeOutputs().Where(t => fromInput.Contains(t) && toLogits.Contains(t)))
        {
            if (facts.TryGetValue(tensor, out var f) && f.IsFloat && f.Rank is 3 or 4 && f.Shape[0] == 1
                && TargetGrid.Infer(f.Shape[1..].Select(d => (int)d).ToArray(), inputHeight, inputWidth) is { Positions: > 1 } grid)
            {
                grids.TryAdd(tensor, grid);
            }
        }

        return grids;
    }

    /// <summary>The last LayerNorm output before grid tensor <paramref name="before"/> from which a token-mixing MatMul (attention) is reachable.</summary>
    private static string? LastMixedNormalization(OnnxGraphIndex index, OrderedDictionary<string, TargetGrid> grids, string inputName, HashSet<string> onPath, int before)
    {
        var fromInput = index.DownstreamOf(inputName);
        var mixed = index.Graph.Node
            .Where(n => n.OpType == "MatMul" && n.Input.Count == 2 && n.Input.All(fromInput.Contains) && onPath.Contains(n.Output[0]))
            .Select(n => n.Output[0])
            .ToHashSet(StringComparer.Ordinal);
        if (mixed.Count == 0)
        {
            return null;
        }

        for (var i = before - 1; i >= 0; i--)
        {
            var candidate = grids.GetAt(i).Key;
            if (IsLayerNormOutput(index, fromInput, candidate) && index.DownstreamOf(candidate).Overlaps(mixed))
            {
                return candidate;
            }
        }

        return null;
    }

    /// <summary>
    /// A LayerNormalization output, or the decomposition exporters write below opset 17:
    /// Div(Sub(x, ReduceMean(x)), ·), optionally followed by Mul and Add with image-independent scale and bias.
    /// </summary>
    private static bool IsLayerNormOutput(OnnxGraphIndex index, HashSet<string> fromInput, string tensor)
    {
        var node = index.Producer(tensor);
        if (node?.OpType == "LayerNormalization")
        {
            return node.Output[0] == tensor;
        }

        node = SkipAffine(index, fromInput, node, "Add");
        node = SkipAffine(index, fromInput, node, "Mul");
        if (node?.OpType != "Div")
        {
            return false;
        }

        var centred = index.Producer(node.Input[0]);
        var mean = centred?.OpType == "Sub" ? index.Producer(centred.Input[1]) : null;
        return mean?.OpType == "ReduceMean" && mean.Input[0] == centred!.Input[0];
    }

    private static NodeProto? SkipAffine(OnnxGraphIndex index, HashSet<string> fromInput, NodeProto? node, string opType)
    {
        if (node?.OpType != opType || node.Input.Count != 2)
        {
            return node;
        }

        var computed = node.Input.Where(fromInput.Contains).ToList();
        return computed.Count == 1 ? index.Producer(computed[0]) : node;
    }

    private static string SourceOfSameGrid(OnnxGraphIndex index, OrderedDictionary<string, TargetGrid> grids, string tensor)
    {
        var grid = grids[tensor];
        while (index.Producer(tensor) is { } producer && LayoutOperators.Contains(producer.OpType)
            && grids.TryGetValue(producer.Input[0], out var source)
            && (source.Height, source.Width, source.Channels) == (grid.Height, grid.Width, grid.Channels))
        {
            tensor = producer.Input[0];
        }

        return tensor;
    }
}

namespace SaliencySlider.Engine.Inference;

/// <summary>Picks the default layer to explain and lists plausible ones.</summary>
internal static class TargetLayerSelector
{
    /// <summary>
    /// The last 4-D activation (spatial size above 1) on the path from the input to the logits
    /// that a consumer reduces spatially (global pooling, flattening, a strided or pooling layer).
    /// Empty when the graph has no such tensor.
    /// </summary>
    public static string SelectDefault(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorFacts> facts, string inputName, string logitsName)
    {
        var candidates = SpatialActivationsOnPath(index, facts, inputName, logitsName);
        var onPath = index.UpstreamOf(logitsName);
        for (var i = candidates.Count - 1; i >= 0; i--)
        {
            var candidate = candidates[i];
            var size = SpatialSize(facts[candidate].Shape);
            var reduced = index.Consumers(candidate)
                .SelectMany(c => c.Output)
                .Where(onPath.Contains)
                .Any(o => facts.TryGetValue(o, out var f) && f.IsFloat && (f.Rank != 4 || SpatialSize(f.Shape) < size));
            if (reduced)
            {
                return candidate;
            }
        }

        return candidates.Count > 0 ? candidates[^1] : "";
    }

    /// <summary>Float rank-4 tensors with a spatial size above 1 between the input and the logits, in node order.</summary>
    public static List<string> SpatialActivationsOnPath(OnnxGraphIndex index, IReadOnlyDictionary<string, TensorFacts> facts, string inputName, string logitsName)
    {
        var fromInput = index.DownstreamOf(inputName);
        var toLogits = index.UpstreamOf(logitsName);
        return index.NodeOutputs()
            .Where(t => fromInput.Contains(t) && toLogits.Contains(t))
            .Where(t => facts.TryGetValue(t, out var f) && f.IsFloat && f.Rank == 4 && SpatialSize(f.Shape) > 1)
            .ToList();
    }

    private static long SpatialSize(long[] shape) => shape.Skip(2).Aggregate(1L, (a, b) => a * b);
}

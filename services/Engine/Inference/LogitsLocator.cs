namespace SaliencySlider.Engine.Inference;

/// <summary>
/// Finds the scores to explain: the graph's first output, or, when that output is a Softmax or
/// LogSoftmax (possibly behind Identity/Flatten/Reshape/Squeeze), the tensor the softmax is applied to.
/// </summary>
internal static class LogitsLocator
{
    private static readonly HashSet<string> ShapeOnlyOps = new(StringComparer.Ordinal) { "Identity", "Flatten", "Reshape", "Squeeze" };

    public static string Locate(OnnxGraphIndex index)
    {
        var output = index.Graph.Output[0].Name;
        var tensor = output;
        while (index.Producer(tensor) is { } producer)
        {
            if (producer.OpType is "Softmax" or "LogSoftmax")
            {
                return producer.Input[0];
            }

            if (!ShapeOnlyOps.Contains(producer.OpType))
            {
                break;
            }

            tensor = producer.Input[0];
        }

        return output;
    }
}

namespace SaliencySlider.Engine.Explaining;

/// <summary>Softmax probabilities, top-k and the target class's probability from one image's logits.</summary>
public static class PredictionBuilder
{
    public static float[] Softmax(ReadOnlySpan<float> logits)
    {
        var max = float.NegativeInfinity;
        foreach (var logit in logits)
        {
            max = Math.Max(max, logit);
        }
        var exponentials = new double[logits.Length];
        double sum = 0;
        for (var i = 0; i < logits.Length; i++)
        {
            exponentials[i] = Math.Exp(logits[i] - max);
            sum += exponentials[i];
        }
        var probabilities = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            probabilities[i] = (float)(exponentials[i] / sum);
        }
        return probabilities;
    }

    /// <summary>Softmax probability of <paramref name="targetClass"/>: one point of an insertion or deletion curve.</summary>
    public static float ProbabilityOf(ReadOnlySpan<float> logits, int targetClass) => Softmax(logits)[targetClass];

    public static PredictionResult FromLogits(ReadOnlySpan<float> logits, int targetClass, int topK, Func<int, string> labelOf)
    {
        var probabilities = Softmax(logits);
        var scores = logits.ToArray();
        var top = Enumerable.Range(0, scores.Length)
            .OrderByDescending(i => scores[i])
            .ThenBy(i => i)
            .Take(Math.Min(topK, scores.Length))
            .Select(i => new ClassScore(i, labelOf(i), probabilities[i], scores[i]))
            .ToArray();
        return new PredictionResult(top, targetClass, labelOf(targetClass), probabilities[targetClass]);
    }

    public static int ArgMax(ReadOnlySpan<float> values)
    {
        var best = 0;
        for (var i = 1; i < values.Length; i++)
        {
            if (values[i] > values[best])
            {
                best = i;
            }
        }
        return best;
    }
}

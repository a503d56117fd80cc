using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Tests.Parity;

/// <summary>What the parity tests share: PyTorch's input in place of the engine's, and the comparison of two maps.</summary>
internal static class CamComparison
{
    /// <summary>The image prepared from a photo, with PyTorch's input tensor as what the model sees.</summary>
    public static PreparedImage WithInput(PreparedImage image, float[] input)
    {
        Assert.Equal(image.InputTensor.Length, input.Length);
        return image with { InputTensor = input };
    }

    /// <summary>Cosine similarity and max |a − b| relative to max |b| (NaN when the lengths differ).</summary>
    public static (double Cosine, double RelativeError) Compare(ReadOnlySpan<float> actual, ReadOnlySpan<float> expected)
    {
        if (actual.Length != expected.Length)
        {
            return (double.NaN, double.NaN);
        }
        double dot = 0, actualNorm = 0, expectedNorm = 0, maxDifference = 0, maxExpected = 0;
        for (var i = 0; i < actual.Length; i++)
        {
            dot += actual[i] * (double)expected[i];
            actualNorm += actual[i] * (double)actual[i];
            expectedNorm += expected[i] * (double)expected[i];
            maxDifference = Math.Max(maxDifference, Math.Abs(actual[i] - (double)expected[i]));
            maxExpected = Math.Max(maxExpected, Math.Abs(expected[i]));
        }
        return (dot / Math.Sqrt(actualNorm * expectedNorm), maxDifference / maxExpected);
    }
}

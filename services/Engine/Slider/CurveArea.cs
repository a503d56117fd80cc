namespace SaliencySlider.Engine.Slider;

/// <summary>Area under an insertion or deletion curve sampled at p = 0, 1/(F−1), …, 1 (trapezoid rule).</summary>
public static class CurveArea
{
    public static float Trapezoid(ReadOnlySpan<float> values)
    {
        if (values.Length < 2)
        {
            throw new ArgumentException("a curve needs at least two points", nameof(values));
        }
        double area = 0;
        for (var i = 1; i < values.Length; i++)
        {
            area += (values[i - 1] + values[i]) / 2.0;
        }
        return (float)(area / (values.Length - 1));
    }
}

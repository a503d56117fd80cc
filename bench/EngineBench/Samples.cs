using System.Diagnostics;

namespace SaliencySlider.EngineBench;

/// <summary>Repeated timings of one measurement; warm-up runs are taken and dropped before the samples.</summary>
internal sealed record Samples(string Name, IReadOnlyList<double> Milliseconds)
{
    public double Median => Percentile(0.5);

    public double Percentile(double q)
    {
        var sorted = Milliseconds.Order().ToArray();
        var position = q * (sorted.Length - 1);
        var low = (int)Math.Floor(position);
        var high = (int)Math.Ceiling(position);
        return sorted[low] + ((sorted[high] - sorted[low]) * (position - low));
    }

    public static Samples Measure(string name, int warmup, int repeats, Action action)
    {
        for (var i = 0; i < warmup; i++)
        {
            action();
        }
        var values = new double[repeats];
        for (var i = 0; i < repeats; i++)
        {
            var clock = Stopwatch.StartNew();
            action();
            values[i] = clock.Elapsed.TotalMilliseconds;
        }
        return new Samples(name, values);
    }

    public static double MedianOf(IEnumerable<double> values) => new Samples("", values.ToArray()).Median;
}

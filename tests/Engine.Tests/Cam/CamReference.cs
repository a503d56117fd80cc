namespace SaliencySlider.Engine.Tests.Cam;

/// <summary>
/// Straightforward transcriptions of pytorch-grad-cam's formulas on [K][h·w] arrays, used as the reference
/// the engine's CAM methods are checked against.
/// </summary>
internal static class CamReference
{
    public static double[] GradCam(double[][] a, double[][] g)
        => WeightedSum(a, g.Select(channel => channel.Average()).ToArray());

    public static double[] GradCamPlusPlus(double[][] a, double[][] g)
    {
        var weights = new double[a.Length];
        for (var k = 0; k < a.Length; k++)
        {
            var sumA = a[k].Sum();
            for (var i = 0; i < a[k].Length; i++)
            {
                var grad = g[k][i];
                var aij = grad != 0 ? grad * grad / ((2 * grad * grad) + (sumA * grad * grad * grad) + 1e-6) : 0;
                weights[k] += Math.Max(grad, 0) * aij;
            }
        }
        return WeightedSum(a, weights);
    }

    public static double[] HiResCam(double[][] a, double[][] g)
        => Relu(Enumerable.Range(0, a[0].Length).Select(i => Enumerable.Range(0, a.Length).Sum(k => g[k][i] * a[k][i])));

    public static double[] XGradCam(double[][] a, double[][] g)
    {
        var weights = Enumerable.Range(0, a.Length)
            .Select(k => Enumerable.Range(0, a[k].Length).Sum(i => g[k][i] * a[k][i]) / (a[k].Sum() + 1e-7))
            .ToArray();
        return WeightedSum(a, weights);
    }

    public static double[] LayerCam(double[][] a, double[][] g)
        => Relu(Enumerable.Range(0, a[0].Length).Select(i => Enumerable.Range(0, a.Length).Sum(k => Math.Max(g[k][i], 0) * a[k][i])));

    private static double[] WeightedSum(double[][] a, double[] weights)
        => Relu(Enumerable.Range(0, a[0].Length).Select(i => Enumerable.Range(0, a.Length).Sum(k => weights[k] * a[k][i])));

    private static double[] Relu(IEnumerable<double> values) => values.Select(v => Math.Max(v, 0)).ToArray();
}

namespace SaliencySlider.Engine.Cam;

/// <summary>
/// EigenCAM (Muhammad &amp; Yeasin), gradient-free: the activations as an (h·w × K) matrix M, each channel
/// centred over the positions (as pytorch-grad-cam does), projected on M's first right singular vector.
/// Computed by power iteration on the smaller of the Gram matrices M·Mᵀ and Mᵀ·M (no LAPACK), from a
/// deterministic start; the sign is chosen so the map correlates positively with the mean activation.
/// </summary>
public sealed class EigenCam : ICamMethod
{
    private const int MaxIterations = 20_000;
    private const double Tolerance = 1e-12;

    public string Name => "eigencam";

    public float[] Compute(in ActivationMaps maps)
    {
        var positions = maps.Positions;
        var channels = maps.Channels;
        var centred = CentredMatrix(maps);
        double[] projection;
        if (positions <= channels)
        {
            // M·Mᵀ v = σ² v gives the left singular vector u; the projection M·v₁ is σ·u.
            var gram = Gram(centred, positions, channels, rowsGram: true);
            var (u, eigenvalue) = LeadingEigenvector(gram, positions);
            var sigma = Math.Sqrt(Math.Max(eigenvalue, 0));
            projection = u.Select(x => x * sigma).ToArray();
        }
        else
        {
            var gram = Gram(centred, positions, channels, rowsGram: false);
            var (v, _) = LeadingEigenvector(gram, channels);
            projection = new double[positions];
            for (var i = 0; i < positions; i++)
            {
                double sum = 0;
                for (var k = 0; k < channels; k++)
                {
                    sum += centred[(i * channels) + k] * v[k];
                }
                projection[i] = sum;
            }
        }
        if (CorrelationWithMeanActivation(maps, projection) < 0)
        {
            for (var i = 0; i < positions; i++)
            {
                projection[i] = -projection[i];
            }
        }
        return ChannelWeightedSum.Relu(projection);
    }

    /// <summary>M[i, k] = A[k, i] − mean_i A[k, i], row-major (h·w × K).</summary>
    private static double[] CentredMatrix(in ActivationMaps maps)
    {
        var positions = maps.Positions;
        var channels = maps.Channels;
        var matrix = new double[positions * channels];
        for (var k = 0; k < channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            double mean = 0;
            foreach (var a in activations)
            {
                mean += a;
            }
            mean /= positions;
            for (var i = 0; i < positions; i++)
            {
                var a = activations[i];
                matrix[(i * channels) + k] = float.IsFinite(a) ? a - mean : 0;
            }
        }
        return matrix;
    }

    private static double[] Gram(double[] m, int rows, int cols, bool rowsGram)
    {
        var n = rowsGram ? rows : cols;
        var gram = new double[n * n];
        for (var a = 0; a < n; a++)
        {
            for (var b = a; b < n; b++)
            {
                double sum = 0;
                if (rowsGram)
                {
                    for (var k = 0; k < cols; k++)
                    {
                        sum += m[(a * cols) + k] * m[(b * cols) + k];
                    }
                }
                else
                {
                    for (var i = 0; i < rows; i++)
                    {
                        sum += m[(i * cols) + a] * m[(i * cols) + b];
                    }
                }
                gram[(a * n) + b] = sum;
                gram[(b * n) + a] = sum;
            }
        }
        return gram;
    }

    /// <summary>Power iteration on a symmetric positive semi-definite matrix, starting from its heaviest column.</summary>
    internal static (double[] Vector, double Eigenvalue) LeadingEigenvector(double[] matrix, int n)
    {
        var heaviest = 0;
        for (var i = 1; i < n; i++)
        {
            if (matrix[(i * n) + i] > matrix[(heaviest * n) + heaviest])
            {
                heaviest = i;
            }
        }
        var vector = new double[n];
        for (var i = 0; i < n; i++)
        {
            vector[i] = matrix[(i * n) + heaviest];
        }
        if (Normalize(vector) == 0)
        {
            return (vector, 0); // all activations constant per channel: no principal direction
        }
        var next = new double[n];
        double eigenvalue = 0;
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            for (var i = 0; i < n; i++)
            {
                double sum = 0;
                for (var j = 0; j < n; j++)
                {
                    sum += matrix[(i * n) + j] * vector[j];
                }
                next[i] = sum;
            }
            eigenvalue = Normalize(next);
            if (eigenvalue == 0)
            {
                return (vector, 0);
            }
            double change = 0;
            for (var i = 0; i < n; i++)
            {
                change += (next[i] - vector[i]) * (next[i] - vector[i]);
            }
            (vector, next) = (next, vector);
            if (change < Tolerance * Tolerance)
            {
                break;
            }
        }
        return (vector, eigenvalue);
    }

    private static double Normalize(double[] vector)
    {
        double norm = 0;
        foreach (var x in vector)
        {
            norm += x * x;
        }
        norm = Math.Sqrt(norm);
        if (norm == 0)
        {
            return 0;
        }
        for (var i = 0; i < vector.Length; i++)
        {
            vector[i] /= norm;
        }
        return norm;
    }

    private static double CorrelationWithMeanActivation(in ActivationMaps maps, double[] projection)
    {
        var meanActivation = new double[maps.Positions];
        for (var k = 0; k < maps.Channels; k++)
        {
            var activations = maps.ActivationChannel(k);
            for (var i = 0; i < meanActivation.Length; i++)
            {
                meanActivation[i] += activations[i];
            }
        }
        var average = meanActivation.Average();
        double covariance = 0;
        for (var i = 0; i < meanActivation.Length; i++)
        {
            covariance += (meanActivation[i] - average) * projection[i];
        }
        return covariance;
    }
}

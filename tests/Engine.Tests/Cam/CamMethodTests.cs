using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Tests.Cam;

public class CamMethodTests
{
    private const int Channels = 5;
    private const int Height = 3;
    private const int Width = 4;

    [Fact]
    public void GradCam_matches_a_hand_computed_map()
    {
        // Channel weights are the gradients' means, 1 and −2: cam = relu(1·[1, 3] − 2·[2, 0]) = [0, 3].
        var maps = new ActivationMaps(2, 1, 2, new float[] { 1, 3, 2, 0 }, new float[] { 0.5f, 1.5f, -1, -3 });

        Assert.Equal(new float[] { 0, 3 }, CamMethods.For(CamMethodKind.GradCam).Compute(maps));
    }

    [Fact]
    public void LayerCam_keeps_only_positive_gradients_element_wise()
    {
        // relu(G)⊙A summed: position 0: 2·1 + 0·4 = 2; position 1: 0·3 + 1·5 = 5.
        var maps = new ActivationMaps(2, 1, 2, new float[] { 1, 3, 4, 5 }, new float[] { 2, -7, -1, 1 });

        Assert.Equal(new float[] { 2, 5 }, new LayerCam().Compute(maps));
    }

    /// <summary>Every method that reads gradients: one added to the engine fails here until it has a reference formula.</summary>
    public static TheoryData<CamMethodKind> GradientMethods => new(Enum.GetValues<CamMethodKind>().Where(CamMethods.NeedsGradients));

    [Theory]
    [MemberData(nameof(GradientMethods))]
    public void Gradient_methods_match_the_reference_formulas(CamMethodKind kind)
    {
        var (activations, gradients) = FixedActivationsAndGradients();
        var maps = new ActivationMaps(Channels, Height, Width, Flatten(activations), Flatten(gradients));
        Func<double[][], double[][], double[]> reference = kind switch
        {
            CamMethodKind.GradCam => CamReference.GradCam,
            CamMethodKind.GradCamPlusPlus => CamReference.GradCamPlusPlus,
            CamMethodKind.HiResCam => CamReference.HiResCam,
            CamMethodKind.XGradCam => CamReference.XGradCam,
            CamMethodKind.LayerCam => CamReference.LayerCam,
            _ => throw new ArgumentOutOfRangeException(nameof(kind)),
        };

        var expected = reference(ToDouble(activations), ToDouble(gradients));
        var actual = CamMethods.For(kind).Compute(maps);

        Assert.Equal(Height * Width, actual.Length);
        Assert.Contains(expected, v => v > 0);
        Assert.Contains(expected, v => v == 0); // the fixture exercises the final ReLU
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], actual[i], 1e-5 * Math.Max(1, Math.Abs(expected[i])));
        }
    }

    [Theory]
    [InlineData(new double[] { 1, 2, 0, 1 }, new double[] { 2, -1, 1, 0 })] // 4 channels < 6 positions: channel Gram
    [InlineData(new double[] { -1, -2, 0, -1 }, new double[] { 2, -1, 1, 0 })] // the sign must follow the mean activation
    [InlineData(new double[] { 0.6, 0.8 }, new double[] { 0.8, -0.6 })]
    [InlineData(new double[] { 1, 2, 0, 1, 1, 0, 1, 2 }, new double[] { 2, -1, 1, 0, 0, 0, 0, 0 })] // 8 channels ≥ 6 positions: position Gram
    public void EigenCam_is_the_scaled_first_principal_component(double[] firstChannelDirection, double[] secondChannelDirection)
    {
        // Positions (2×3): M = 5·u1·v1ᵀ + 2·u2·v2ᵀ + per-channel offsets, with u1, u2 orthonormal and centred.
        // Its first right singular vector is v1, so the projection is 5·u1, signed like the mean activation.
        var u1 = Unit([1, -1, 2, -2, 0, 0]);
        var u2 = Unit([1, 1, -1, -1, 1, -1]);
        var v1 = Unit(firstChannelDirection);
        var v2 = Unit(secondChannelDirection);
        var channels = v1.Length;
        var activations = new float[channels * 6];
        for (var k = 0; k < channels; k++)
        {
            for (var i = 0; i < 6; i++)
            {
                activations[(k * 6) + i] = (float)((5 * u1[i] * v1[k]) + (2 * u2[i] * v2[k]) + (3 + k));
            }
        }
        var maps = new ActivationMaps(channels, 2, 3, activations, new float[activations.Length]);
        var sign = Math.Sign(v1.Average());

        var actual = new EigenCam().Compute(maps);

        for (var i = 0; i < 6; i++)
        {
            Assert.Equal(Math.Max(0, sign * 5 * u1[i]), actual[i], 1e-4);
        }
    }

    [Fact]
    public void EigenCam_of_constant_activations_is_zero()
    {
        var maps = new ActivationMaps(2, 2, 2, new float[] { 1, 1, 1, 1, 2, 2, 2, 2 }, new float[8]);

        Assert.All(new EigenCam().Compute(maps), v => Assert.Equal(0f, v));
    }

    [Fact]
    public void Method_names_parse_back_to_their_kind()
    {
        foreach (var kind in Enum.GetValues<CamMethodKind>())
        {
            Assert.True(CamMethods.TryParse(CamMethods.NameOf(kind), out var parsed));
            Assert.Equal(kind, parsed);
        }
        Assert.Equal(["gradcam", "gradcampp", "hirescam", "xgradcam", "layercam", "eigencam", "scorecam"], CamMethods.Names);
        Assert.False(CamMethods.TryParse("ablationcam", out _));
        Assert.Equal([CamMethodKind.ScoreCam], Enum.GetValues<CamMethodKind>().Where(CamMethods.NeedsForwardPasses));
        Assert.Equal([CamMethodKind.EigenCam, CamMethodKind.ScoreCam], Enum.GetValues<CamMethodKind>().Where(k => !CamMethods.NeedsGradients(k)));
    }

    /// <summary>
    /// A 3×4 layer with 5 channels: channel 0 strong on the right, channel 1 on the left, channel 4 signed (as
    /// after a layer without ReLU). Chosen so that every method's map has positive and clipped (ReLU) positions.
    /// </summary>
    private static (float[][] Activations, float[][] Gradients) FixedActivationsAndGradients()
    {
        double[] gradientBias = [0.08, -0.06, 0.01, 0.02, 0.09];
        var activations = new float[Channels][];
        var gradients = new float[Channels][];
        for (var k = 0; k < Channels; k++)
        {
            activations[k] = new float[Height * Width];
            gradients[k] = new float[Height * Width];
            for (var i = 0; i < Height * Width; i++)
            {
                var (x, y) = (i % Width, i / Width);
                activations[k][i] = k switch
                {
                    0 => x >= 2 ? 3f : 0.2f,
                    1 => x < 2 ? 3f : 0.1f,
                    2 => 0.5f + (0.25f * y),
                    3 => (x + y) % 2 == 0 ? 1f : 0f,
                    _ => 2.5f - (2 * x) - (0.5f * y),
                };
                gradients[k][i] = (float)(gradientBias[k] + (0.01 * ((((3 * i) + k) % 5) - 2)));
            }
        }
        gradients[2][3] = 0; // Grad-CAM++ treats zero gradients specially
        return (activations, gradients);
    }

    private static float[] Flatten(float[][] channels) => channels.SelectMany(c => c).ToArray();

    private static double[][] ToDouble(float[][] channels) => channels.Select(c => c.Select(v => (double)v).ToArray()).ToArray();

    private static double[] Unit(double[] vector)
    {
        var norm = Math.Sqrt(vector.Sum(x => x * x));
        return vector.Select(x => x / norm).ToArray();
    }
}

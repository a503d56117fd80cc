namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>TFLite's float semantics in plain loops over NHWC tensors (batch 1), as the reference for converted models.</summary>
internal static class NhwcReference
{
    public sealed record Tensor(float[] Data, int H, int W, int C)
    {
        public float this[int y, int x, int c] => Data[(((y * W) + x) * C) + c];
    }

    /// <summary>TensorFlow's SAME padding: output ceil(in / stride), the odd pixel of padding after.</summary>
    public static (int Out, int Before) Same(int size, int stride, int kernel, int dilation = 1)
    {
        var output = (size + stride - 1) / stride;
        var total = Math.Max(((output - 1) * stride) + ((kernel - 1) * dilation) + 1 - size, 0);
        return (output, total / 2);
    }

    /// <summary>CONV_2D (weights [O, KH, KW, I]) or, with <paramref name="depthwise"/>, DEPTHWISE_CONV_2D (weights [1, KH, KW, C·M]).</summary>
    public static Tensor Conv(Tensor x, float[] weights, int kh, int kw, int outChannels, float[] bias, int stride, bool same, bool depthwise, Func<float, float> activation)
    {
        var (oh, top) = same ? Same(x.H, stride, kh) : (((x.H - kh) / stride) + 1, 0);
        var (ow, left) = same ? Same(x.W, stride, kw) : (((x.W - kw) / stride) + 1, 0);
        var multiplier = outChannels / x.C;
        var output = new float[oh * ow * outChannels];
        for (var y = 0; y < oh; y++)
        {
            for (var xo = 0; xo < ow; xo++)
            {
                for (var o = 0; o < outChannels; o++)
                {
                    double sum = bias[o];
                    for (var ky = 0; ky < kh; ky++)
                    {
                        for (var kx = 0; kx < kw; kx++)
                        {
                            var (iy, ix) = ((y * stride) + ky - top, (xo * stride) + kx - left);
                            if (iy < 0 || iy >= x.H || ix < 0 || ix >= x.W)
                            {
                                continue;
                            }
                            if (depthwise)
                            {
                                sum += x[iy, ix, o / multiplier] * weights[(((ky * kw) + kx) * outChannels) + o];
                            }
                            else
                            {
                                for (var i = 0; i < x.C; i++)
                                {
                                    sum += x[iy, ix, i] * weights[(((((o * kh) + ky) * kw) + kx) * x.C) + i];
                                }
                            }
                        }
                    }
                    output[(((y * ow) + xo) * outChannels) + o] = activation((float)sum);
                }
            }
        }
        return new Tensor(output, oh, ow, outChannels);
    }

    /// <summary>AVERAGE_POOL_2D (the mean over the cells inside the input) or MAX_POOL_2D.</summary>
    public static Tensor Pool(Tensor x, int kh, int kw, int stride, bool same, bool max)
    {
        var (oh, top) = same ? Same(x.H, stride, kh) : (((x.H - kh) / stride) + 1, 0);
        var (ow, left) = same ? Same(x.W, stride, kw) : (((x.W - kw) / stride) + 1, 0);
        var output = new float[oh * ow * x.C];
        for (var y = 0; y < oh; y++)
        {
            for (var xo = 0; xo < ow; xo++)
            {
                for (var c = 0; c < x.C; c++)
                {
                    double acc = max ? double.NegativeInfinity : 0;
                    var count = 0;
                    for (var ky = 0; ky < kh; ky++)
                    {
                        for (var kx = 0; kx < kw; kx++)
                        {
                            var (iy, ix) = ((y * stride) + ky - top, (xo * stride) + kx - left);
                            if (iy >= 0 && iy < x.H && ix >= 0 && ix < x.W)
                            {
                                acc = max ? Math.Max(acc, x[iy, ix, c]) : acc + x[iy, ix, c];
                                count++;
                            }
                        }
                    }
                    output[(((y * ow) + xo) * x.C) + c] = (float)(max ? acc : acc / count);
                }
            }
        }
        return new Tensor(output, oh, ow, x.C);
    }

    public static Tensor Add(Tensor a, Tensor b) => a with { Data = [.. a.Data.Zip(b.Data, (p, q) => p + q)] };

    /// <summary>FULLY_CONNECTED over the NHWC-flattened input, weights [O, H·W·C].</summary>
    public static float[] FullyConnected(Tensor x, float[] weights, float[] bias)
    {
        var output = new float[bias.Length];
        for (var o = 0; o < output.Length; o++)
        {
            double sum = bias[o];
            for (var i = 0; i < x.Data.Length; i++)
            {
                sum += x.Data[i] * weights[(o * x.Data.Length) + i];
            }
            output[o] = (float)sum;
        }
        return output;
    }

    public static float Relu6(float v) => Math.Clamp(v, 0f, 6f);

    public static float Relu(float v) => Math.Max(v, 0f);

    public static float Identity(float v) => v;
}

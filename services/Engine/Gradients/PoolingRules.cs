namespace SaliencySlider.Engine.Gradients;

/// <summary>Pooling and reductions: the gradient goes back to the elements each output was computed from.</summary>
internal static partial class BackwardRules
{
    /// <summary>
    /// The forward node also returns its argmax Indices (flat over the whole N·C·H·W input), and the
    /// gradient is scatter-added there, so overlapping windows that share a maximum add up.
    /// </summary>
    private static void MaxPool(BackwardContext c)
    {
        var e = c.Emit;
        if ((Attr.GetInt(c.Node, "storage_order") ?? 0) != 0)
        {
            throw c.Unsupported("storage_order=1 is not supported");
        }

        var indices = c.RequestOutput(1, "maxpool_indices");
        var x = c.Input(0);
        var flat = e.Ints(-1);
        var zeros = e.Reshape(e.Node("ConstantOfShape", [e.Shape(x)]), flat);
        var scattered = e.Node(
            "ScatterElements",
            [zeros, e.Reshape(indices, flat), e.Reshape(c.Grad, flat)],
            Attr.Int("axis", 0),
            Attr.String("reduction", "add"));
        c.SetInputGrad(0, e.ReshapeLike(scattered, x));
    }

    /// <summary>Each output spreads g/divisor over its window: a per-channel ConvTranspose with a kernel of ones.</summary>
    private static void AveragePool(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.InputShape(0);
        var y = c.OutputShape();
        var kernel = Attr.GetInts(c.Node, "kernel_shape") ?? throw c.Unsupported("kernel_shape is missing");
        var geometry = WindowGeometry.Of(c, x, y, kernel);
        var spatial = geometry.Spatial;
        var outputPadding = new long[spatial];
        for (var i = 0; i < spatial; i++)
        {
            var covered = ((y[i + 2] - 1) * geometry.Strides[i]) + ((kernel[i] - 1) * geometry.Dilations[i]) + 1;
            if (covered > x[i + 2] + geometry.PadsBegin[i] + geometry.PadsEnd[i])
            {
                throw c.Unsupported("ceil_mode windows that run past the padded input are not supported");
            }

            outputPadding[i] = x[i + 2] - (covered - geometry.PadsBegin[i] - geometry.PadsEnd[i]);
        }

        var countPads = (Attr.GetInt(c.Node, "count_include_pad") ?? 0) != 0;
        var hasPads = geometry.PadsBegin.Concat(geometry.PadsEnd).Any(p => p != 0);
        string scaled;
        if (countPads || !hasPads)
        {
            scaled = e.Mul(c.Grad, e.ScalarFloat(1f / kernel.Aggregate(1L, (a, b) => a * b)));
        }
        else
        {
            scaled = e.Mul(c.Grad, e.Floats(InverseWindowCounts(x, y, geometry), [1, 1, .. y[2..]]));
        }

        var channels = x[1];
        var taps = kernel.Aggregate(1L, (a, b) => a * b);
        var ones = e.Floats(Enumerable.Repeat(1f, (int)(channels * taps)).ToArray(), [channels, 1, .. kernel]);
        c.SetInputGrad(0, e.Node(
            "ConvTranspose",
            [scaled, ones],
            Attr.Int("group", channels),
            Attr.Ints("kernel_shape", kernel),
            Attr.Ints("strides", geometry.Strides),
            Attr.Ints("dilations", geometry.Dilations),
            Attr.Ints("pads", [.. geometry.PadsBegin, .. geometry.PadsEnd]),
            Attr.Ints("output_padding", outputPadding)));
    }

    /// <summary>1 / (number of window taps inside the unpadded input) per output position, count_include_pad=0.</summary>
    private static float[] InverseWindowCounts(long[] x, long[] y, WindowGeometry geometry)
    {
        var spatial = geometry.Spatial;
        var perAxis = new long[spatial][];
        for (var i = 0; i < spatial; i++)
        {
            perAxis[i] = new long[y[i + 2]];
            for (var o = 0; o < y[i + 2]; o++)
            {
                for (var k = 0; k < geometry.Kernel[i]; k++)
                {
                    var position = (o * geometry.Strides[i]) + (k * geometry.Dilations[i]) - geometry.PadsBegin[i];
                    if (position >= 0 && position < x[i + 2])
                    {
                        perAxis[i][o]++;
                    }
                }
            }
        }

        var total = (int)y[2..].Aggregate(1L, (a, b) => a * b);
        var result = new float[total];
        for (var flat = 0; flat < total; flat++)
        {
            long count = 1;
            var rest = flat;
            for (var i = spatial - 1; i >= 0; i--)
            {
                var size = (int)y[i + 2];
                count *= perAxis[i][rest % size];
                rest /= size;
            }

            result[flat] = 1f / count;
        }

        return result;
    }

    private static void GlobalAveragePool(BackwardContext c)
    {
        var e = c.Emit;
        var area = c.InputShape(0)[2..].Aggregate(1L, (a, b) => a * b);
        var scaled = e.Mul(c.Grad, e.ScalarFloat(1f / area));
        c.SetInputGrad(0, e.Node("Expand", [scaled, e.Shape(c.Input(0))]));
    }

    /// <summary>The gradient goes to the elements equal to their channel's maximum.</summary>
    private static void GlobalMaxPool(BackwardContext c)
    {
        var e = c.Emit;
        var isMax = e.Node("Equal", [c.Input(0), c.Output(0)]);
        c.SetInputGrad(0, e.Node("Where", [isMax, c.Grad, e.ScalarFloat(0f)]));
    }

    private static void ReduceMean(BackwardContext c) => ReduceBackward(c, (g, _, count) => c.Emit.Mul(g, c.Emit.ScalarFloat(1f / count)));

    private static void ReduceSum(BackwardContext c) => ReduceBackward(c, (g, _, _) => g);

    /// <summary>d‖x‖/dx = x/‖x‖ (F.normalize), zero where the norm is.</summary>
    private static void ReduceL2(BackwardContext c) => ReduceBackward(c, (g, keep, _) =>
    {
        var e = c.Emit;
        var norm = keep(c.Output(0));
        return e.Mask(e.Node("Greater", [norm, e.ScalarFloat(0f)]), e.Mul(g, e.Div(c.Input(0), norm)));
    });

    /// <summary>
    /// <paramref name="scale"/> gets the gradient with the reduced axes kept, a function that keeps them in
    /// a reduced tensor, and the number of elements reduced; its result is broadcast to the input's shape.
    /// </summary>
    private static void ReduceBackward(BackwardContext c, Func<string, Func<string, string>, long, string> scale)
    {
        var e = c.Emit;
        var x = c.InputShape(0);
        var axesFromInput = c.Node.OpType == "ReduceSum" ? c.Opset >= 13 : c.Opset >= 18;
        long[]? axes = axesFromInput ? (c.HasInput(1) ? c.ConstantInts(1) : null) : Attr.GetInts(c.Node, "axes");
        if (axes is null or { Length: 0 })
        {
            if ((Attr.GetInt(c.Node, "noop_with_empty_axes") ?? 0) != 0)
            {
                c.SetInputGrad(0, c.Grad);
                return;
            }

            axes = Enumerable.Range(0, x.Length).Select(i => (long)i).ToArray();
        }

        axes = [.. axes.Select(a => c.Axis(a, x.Length)).Order()];
        if (axes.Contains(0))
        {
            throw c.Unsupported("it reduces over the batch axis");
        }

        var keepDims = (Attr.GetInt(c.Node, "keepdims") ?? 1) != 0;
        string Keep(string reduced) => keepDims ? reduced : e.Node("Unsqueeze", [reduced, e.Ints(axes)]);
        var count = axes.Aggregate(1L, (product, axis) => product * x[axis]);
        c.SetInputGrad(0, e.Node("Expand", [scale(Keep(c.Grad), Keep, count), e.Shape(c.Input(0))]));
    }

    /// <summary>Inference-form batch normalization is per-channel affine: dX = g·scale/√(var+ε).</summary>
    private static void BatchNormalization(BackwardContext c)
    {
        var e = c.Emit;
        if ((Attr.GetInt(c.Node, "training_mode") ?? 0) != 0)
        {
            throw c.Unsupported("training_mode=1 is not supported");
        }

        if (Enumerable.Range(1, 4).Any(c.Needs))
        {
            throw c.Unsupported("its parameters depend on the target layer");
        }

        var x = c.InputShape(0);
        var epsilon = Attr.GetFloat(c.Node, "epsilon") ?? 1e-5f;
        var factor = e.Div(c.Input(1), e.Node("Sqrt", [e.Add(c.Input(4), e.ScalarFloat(epsilon))]));
        long[] channelShape = [x[1], .. Enumerable.Repeat(1L, x.Length - 2)];
        c.SetInputGrad(0, e.Mul(c.Grad, e.Reshape(factor, e.Ints(channelShape))));
    }
}

namespace SaliencySlider.Engine.Gradients;

/// <summary>Operators that move or select elements: the gradient is moved back, zero where nothing was taken.</summary>
internal static partial class BackwardRules
{
    /// <summary>Flatten, Reshape, Squeeze, Unsqueeze: the same elements in the input's shape.</summary>
    private static void RestoreShape(BackwardContext c) => c.SetInputGrad(0, c.Emit.ReshapeLike(c.Grad, c.Input(0)));

    private static void Transpose(BackwardContext c)
    {
        var rank = c.InputShape(0).Length;
        var perm = Attr.GetInts(c.Node, "perm") ?? Enumerable.Range(0, rank).Reverse().Select(i => (long)i).ToArray();
        var inverse = new long[rank];
        for (var i = 0; i < rank; i++)
        {
            inverse[perm[i]] = i;
        }

        c.SetInputGrad(0, c.Emit.Transpose(c.Grad, inverse));
    }

    private static void Concat(BackwardContext c)
    {
        var rank = c.OutputShape().Length;
        var axis = c.Axis(Attr.GetInt(c.Node, "axis") ?? throw c.Unsupported("axis is missing"), rank);
        if (axis == 0)
        {
            throw c.Unsupported("it concatenates along the batch axis");
        }

        long offset = 0;
        for (var input = 0; input < c.Node.Input.Count; input++)
        {
            var length = c.InputShape(input)[axis];
            if (c.Needs(input))
            {
                c.SetInputGrad(input, SliceAxes(c.Emit, c.Grad, [offset], [offset + length], [axis]));
            }

            offset += length;
        }
    }

    private static void Slice(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.InputShape(0);
        var starts = c.ConstantInts(1);
        var ends = c.ConstantInts(2);
        var axes = c.HasInput(3) ? c.ConstantInts(3) : Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = c.HasInput(4) ? c.ConstantInts(4) : Enumerable.Repeat(1L, starts.Length).ToArray();
        var shape = (long[])c.OutputShape().Clone();
        var g = c.Grad;
        for (var i = 0; i < axes.Length; i++)
        {
            var axis = (int)c.Axis(axes[i], x.Length);
            var size = x[axis];
            var step = steps[i];
            var count = shape[axis];
            var start = SliceStart(starts[i], step, size);
            if (count == size && step == 1)
            {
                continue;
            }

            if (axis == 0)
            {
                throw c.Unsupported("it slices the batch axis");
            }

            if (step < 0)
            {
                g = SliceAxes(e, g, [-1], [long.MinValue], [axis], [-1]);
                start -= (count - 1) * -step;
                step = -step;
            }

            var length = count;
            if (step > 1)
            {
                // Interleave step−1 zeros after every element: [m] → [m, 1] → [m, step] → [m·step].
                var unsqueezed = e.Node("Unsqueeze", [g, e.Ints(axis + 1)]);
                var widen = new long[2 * (shape.Length + 1)];
                widen[shape.Length + 1 + axis + 1] = step - 1;
                var widened = e.Node("Pad", [unsqueezed, e.Ints(widen)]);
                length = count * step;
                long[] merged = [0, .. shape[1..]];
                merged[axis] = length;
                g = e.Reshape(widened, e.Ints(merged));
            }

            if (start + length > size)
            {
                g = SliceAxes(e, g, [0], [size - start], [axis]);
                length = size - start;
            }

            var pads = new long[2 * shape.Length];
            pads[axis] = start;
            pads[shape.Length + axis] = size - start - length;
            g = e.Node("Pad", [g, e.Ints(pads)]);
            shape[axis] = size;
        }

        c.SetInputGrad(0, g);
    }

    /// <summary>The first index a Slice reads on an axis of the given size (ONNX clamping rules).</summary>
    private static long SliceStart(long start, long step, long size)
    {
        if (start < 0)
        {
            start += size;
        }

        return step > 0 ? Math.Clamp(start, 0, size) : Math.Clamp(start, 0, size - 1);
    }

    private static void Pad(BackwardContext c)
    {
        var e = c.Emit;
        var mode = Attr.GetString(c.Node, "mode") ?? "constant";
        if (mode != "constant")
        {
            throw c.Unsupported($"mode '{mode}' is not supported (only constant)");
        }

        var x = c.InputShape(0);
        var rank = x.Length;
        var given = c.HasInput(1) ? c.ConstantInts(1) : Attr.GetInts(c.Node, "pads") ?? throw c.Unsupported("pads are missing");
        var axes = c.HasInput(3) ? c.ConstantInts(3).Select(a => c.Axis(a, rank)).ToArray() : Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        var begin = new long[rank];
        var end = new long[rank];
        for (var i = 0; i < axes.Length; i++)
        {
            begin[axes[i]] = given[i];
            end[axes[i]] = given[axes.Length + i];
        }

        if (begin[0] != 0 || end[0] != 0)
        {
            throw c.Unsupported("it pads the batch axis");
        }

        var g = c.Grad;
        if (begin.Concat(end).Any(p => p < 0))
        {
            long[] restore = [.. begin.Select(p => Math.Max(-p, 0)), .. end.Select(p => Math.Max(-p, 0))];
            g = e.Node("Pad", [g, e.Ints(restore)]);
        }

        var sliceAxes = Enumerable.Range(1, rank - 1).Select(i => (long)i).ToArray();
        var starts = sliceAxes.Select(a => Math.Max(begin[a], 0)).ToArray();
        var ends = sliceAxes.Select((a, i) => starts[i] + x[a]).ToArray();
        c.SetInputGrad(0, SliceAxes(e, g, starts, ends, sliceAxes));
    }

    private static string SliceAxes(GraphEmitter e, string tensor, long[] starts, long[] ends, long[] axes, long[]? steps = null)
    {
        List<string> inputs = [tensor, e.Ints(starts), e.Ints(ends), e.Ints(axes)];
        if (steps is not null)
        {
            inputs.Add(e.Ints(steps));
        }

        return e.Node("Slice", inputs);
    }
}

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

    /// <summary>Concatenates the outputs' gradients, with zeros for outputs that do not reach the logits.</summary>
    private static void Split(BackwardContext c)
    {
        var e = c.Emit;
        var axis = c.Axis(Attr.GetInt(c.Node, "axis") ?? 0, c.InputShape(0).Length);
        if (axis == 0)
        {
            throw c.Unsupported("it splits the batch axis");
        }

        var parts = c.Node.Output.Select((output, i) => c.OutputGrad(i) ?? e.Node("ConstantOfShape", [e.Shape(output)]));
        c.SetInputGrad(0, e.Node("Concat", parts, Attr.Int("axis", axis)));
    }

    /// <summary>
    /// Scatter-adds the gradient back to the gathered positions, so repeated indices accumulate: the
    /// index dimensions are flattened into one along the axis and the indices broadcast over the rest.
    /// </summary>
    private static void Gather(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.Input(0);
        var rank = c.InputShape(0).Length;
        var axis = c.Axis(Attr.GetInt(c.Node, "axis") ?? 0, rank);
        var indexRank = c.InputShape(1).Length;
        var g = c.Grad;
        if (indexRank != 1)
        {
            var gShape = e.Shape(g);
            var flatShape = e.Node(
                "Concat",
                [SliceAxes(e, gShape, [0], [axis], [0]), e.Ints(-1), SliceAxes(e, gShape, [axis + indexRank], [long.MaxValue], [0])],
                Attr.Int("axis", 0));
            g = e.Reshape(g, flatShape);
        }

        var indexShape = Enumerable.Repeat(1L, rank).ToArray();
        indexShape[axis] = -1;
        var indices = e.Node("Expand", [e.Reshape(c.Input(1), e.Ints(indexShape)), e.Shape(g)]);
        var zeros = e.Node("ConstantOfShape", [e.Shape(x)]);
        c.SetInputGrad(0, e.Node("ScatterElements", [zeros, indices, g], Attr.Int("axis", axis), Attr.String("reduction", "add")));
    }

    private static void Slice(BackwardContext c)
    {
        var e = c.Emit;
        var x = c.InputShape(0);
        var bounds = Enumerable.Range(1, 4).Select(i => c.HasInput(i) ? c.Index.ConstantInts(c.Input(i)) : null).ToArray();
        if (bounds[0] is not { } starts || bounds[1] is not { } ends || (c.HasInput(3) && bounds[2] is null) || (c.HasInput(4) && bounds[3] is null))
        {
            c.SetInputGrad(0, ScatterToSources(c, positions => e.Node("Slice", [positions, .. c.Node.Input.Skip(1)])));
            return;
        }

        var axes = bounds[2] ?? Enumerable.Range(0, starts.Length).Select(i => (long)i).ToArray();
        var steps = bounds[3] ?? Enumerable.Repeat(1L, starts.Length).ToArray();
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

    /// <summary>
    /// For selections whose geometry is only known at run time (Slice bounds or Pad amounts computed from
    /// shapes, reflect/edge padding): the node applied to the flat positions of its input tells where each
    /// output element came from (−1: from nowhere), and the gradient is scatter-added there.
    /// </summary>
    private static string ScatterToSources(BackwardContext c, Func<string, string> select)
    {
        var e = c.Emit;
        var shape = e.Shape(c.Input(0));
        var size = e.Node("ReduceProd", [shape], Attr.Int("keepdims", 0));
        var positions = e.Reshape(e.Node("Range", [e.ScalarInt(0), size, e.ScalarInt(1)]), shape);
        var sources = e.Reshape(select(positions), e.Ints(-1));
        var dump = e.Node("Unsqueeze", [size, e.Ints(0)]);
        var slots = e.Node("Where", [e.Node("Less", [sources, e.ScalarInt(0)]), size, sources]);
        var zeros = e.Node("ConstantOfShape", [e.Add(dump, e.Ints(1))]);
        var scattered = e.Node("ScatterElements", [zeros, slots, e.Reshape(c.Grad, e.Ints(-1))], Attr.Int("axis", 0), Attr.String("reduction", "add"));
        return e.Reshape(e.Node("Slice", [scattered, e.Ints(0), dump, e.Ints(0)]), shape);
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
        var x = c.InputShape(0);
        var rank = x.Length;
        var given = c.HasInput(1) ? c.Index.ConstantInts(c.Input(1)) : Attr.GetInts(c.Node, "pads");
        var givenAxes = c.HasInput(3) ? c.Index.ConstantInts(c.Input(3)) : Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        if (mode != "constant" || given is null || givenAxes is null)
        {
            // Edge, reflect and wrap padding repeat input positions, which the scatter adds up.
            List<string> inputs = [c.Input(1), mode == "constant" ? e.ScalarInt(-1) : "", .. c.HasInput(3) ? [c.Input(3)] : Array.Empty<string>()];
            c.SetInputGrad(0, ScatterToSources(c, positions => e.Node("Pad", [positions, .. inputs], [.. c.Node.Attribute.Select(a => a.Clone())])));
            return;
        }

        var axes = givenAxes.Select(a => c.Axis(a, rank)).ToArray();
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

namespace SaliencySlider.Engine.Gradients;

/// <summary>Convolution and matrix products: gradients with respect to the activation operand.</summary>
internal static partial class BackwardRules
{
    /// <summary>dX = ConvTranspose(g, W) with the convolution's geometry; output_padding restores X's exact size.</summary>
    private static void Conv(BackwardContext c)
    {
        if (c.Needs(1) || c.Needs(2))
        {
            throw c.Unsupported("its weights or bias depend on the target layer");
        }

        var x = c.InputShape(0);
        var weights = c.InputShape(1);
        var y = c.OutputShape();
        var geometry = WindowGeometry.Of(c, x, y, [.. weights.Skip(2)]);
        var outputPadding = new long[geometry.Spatial];
        for (var i = 0; i < geometry.Spatial; i++)
        {
            var covered = ((y[i + 2] - 1) * geometry.Strides[i]) + ((geometry.Kernel[i] - 1) * geometry.Dilations[i]) + 1
                - geometry.PadsBegin[i] - geometry.PadsEnd[i];
            outputPadding[i] = x[i + 2] - covered;
            if (outputPadding[i] < 0)
            {
                throw c.Unsupported($"inconsistent geometry on spatial axis {i}");
            }
        }

        var group = Attr.GetInt(c.Node, "group") ?? 1;
        c.SetInputGrad(0, c.Emit.Node(
            "ConvTranspose",
            [c.Grad, c.Input(1)],
            Attr.Int("group", group),
            Attr.Ints("kernel_shape", geometry.Kernel),
            Attr.Ints("strides", geometry.Strides),
            Attr.Ints("dilations", geometry.Dilations),
            Attr.Ints("pads", [.. geometry.PadsBegin, .. geometry.PadsEnd]),
            Attr.Ints("output_padding", outputPadding)));
    }

    /// <summary>Y = α·op(A)·op(B) + β·C.</summary>
    private static void Gemm(BackwardContext c)
    {
        var e = c.Emit;
        var alpha = Attr.GetFloat(c.Node, "alpha") ?? 1f;
        var beta = Attr.GetFloat(c.Node, "beta") ?? 1f;
        var transA = (Attr.GetInt(c.Node, "transA") ?? 0) != 0;
        var transB = (Attr.GetInt(c.Node, "transB") ?? 0) != 0;
        var a = c.Input(0);
        var b = c.Input(1);
        var g = c.Grad;
        if (c.Needs(0))
        {
            // d op(A) = α·g·op(B)ᵀ; with transA the stored A is its transpose: α·op(B)·gᵀ.
            c.SetInputGrad(0, transA
                ? GemmNode(e, b, g, alpha, transB, true)
                : GemmNode(e, g, b, alpha, false, !transB));
        }

        if (c.Needs(1))
        {
            // d op(B) = α·op(A)ᵀ·g; with transB the stored B is its transpose: α·gᵀ·op(A).
            c.SetInputGrad(1, transB
                ? GemmNode(e, g, a, alpha, true, transA)
                : GemmNode(e, a, g, alpha, !transA, false));
        }

        if (c.Needs(2))
        {
            var scaled = beta == 1f ? g : e.Mul(g, e.ScalarFloat(beta));
            c.SetInputGrad(2, c.Unbroadcast(scaled, c.OutputShape(), c.Input(2)));
        }
    }

    private static string GemmNode(GraphEmitter e, string a, string b, float alpha, bool transA, bool transB)
        => e.Node("Gemm", [a, b], Attr.Float("alpha", alpha), Attr.Int("transA", transA ? 1 : 0), Attr.Int("transB", transB ? 1 : 0));

    /// <summary>Y = A·B (batched, broadcasting): dA = g·Bᵀ, dB = Aᵀ·g, each summed over broadcast dimensions; dA by Gemm when B is a matrix.</summary>
    private static void MatMul(BackwardContext c)
    {
        var e = c.Emit;
        var aShape = c.InputShape(0);
        var bShape = c.InputShape(1);
        if (aShape.Length < 2 || bShape.Length < 2)
        {
            throw c.Unsupported("one-dimensional operands are not supported");
        }

        var outShape = c.OutputShape();
        if (c.Needs(0) && bShape.Length == 2)
        {
            // A weight matrix: Gemm reads it as it is. MatMul(g, Transpose(B)) had ONNX Runtime fold the transpose into
            // a new constant in every gradient session, beside the shared weights (ViT-B/16: ~140 MiB more per layer).
            var rows = aShape.Length == 2 ? c.Grad : e.Reshape(c.Grad, e.Ints(-1, bShape[1]));
            var product = GemmNode(e, rows, c.Input(1), 1f, false, true);
            c.SetInputGrad(0, aShape.Length == 2 ? product : e.ReshapeLike(product, c.Input(0)));
        }
        else if (c.Needs(0))
        {
            var product = e.Node("MatMul", [c.Grad, e.Transpose(c.Input(1), SwapLastTwo(bShape.Length))]);
            var productShape = outShape[..^1].Append(bShape[^2]).ToArray();
            c.SetInputGrad(0, c.Unbroadcast(product, productShape, c.Input(0)));
        }

        if (c.Needs(1))
        {
            var product = e.Node("MatMul", [e.Transpose(c.Input(0), SwapLastTwo(aShape.Length)), c.Grad]);
            var productShape = outShape[..^2].Append(aShape[^1]).Append(outShape[^1]).ToArray();
            c.SetInputGrad(1, c.Unbroadcast(product, productShape, c.Input(1)));
        }
    }

    /// <summary>
    /// Each operand's gradient is the einsum of the output gradient with the other operand, written to
    /// the operand's subscripts; subscripts summed away in that operand alone are broadcast back.
    /// </summary>
    private static void Einsum(BackwardContext c)
    {
        var e = c.Emit;
        var equation = (Attr.GetString(c.Node, "equation") ?? "").Replace(" ", "", StringComparison.Ordinal);
        var arrow = equation.IndexOf("->", StringComparison.Ordinal);
        if (arrow < 0 || equation.Contains("...", StringComparison.Ordinal))
        {
            throw c.Unsupported($"equation '{equation}' is not supported (an explicit '->' and no ellipsis are required)");
        }

        var terms = equation[..arrow].Split(',');
        var output = equation[(arrow + 2)..];
        if (terms.Length > 2 || terms.Any(t => t.Distinct().Count() != t.Length))
        {
            throw c.Unsupported($"equation '{equation}' is not supported (at most two operands, no repeated subscripts)");
        }

        var sizes = new Dictionary<char, long>();
        for (var i = 0; i < terms.Length; i++)
        {
            var shape = c.InputShape(i);
            for (var k = 0; k < terms[i].Length; k++)
            {
                if (sizes.TryGetValue(terms[i][k], out var size) && size != shape[k])
                {
                    throw c.Unsupported($"subscript '{terms[i][k]}' broadcasts between operands");
                }

                sizes[terms[i][k]] = shape[k];
            }
        }

        for (var i = 0; i < terms.Length; i++)
        {
            if (!c.Needs(i))
            {
                continue;
            }

            var other = terms.Length == 2 ? 1 - i : -1;
            var available = output + (other >= 0 ? terms[other] : "");
            var kept = string.Concat(terms[i].Where(available.Contains));
            var backward = other >= 0 ? $"{output},{terms[other]}->{kept}" : $"{output}->{kept}";
            var gradient = e.Node("Einsum", other >= 0 ? [c.Grad, c.Input(other)] : [c.Grad], Attr.String("equation", backward));
            if (kept.Length != terms[i].Length)
            {
                var dropped = terms[i].Select((s, k) => (s, k)).Where(p => !available.Contains(p.s)).Select(p => (long)p.k).ToArray();
                gradient = e.Node("Expand", [e.Node("Unsqueeze", [gradient, e.Ints(dropped)]), e.Shape(c.Input(i))]);
            }

            c.SetInputGrad(i, gradient);
        }
    }

    private static long[] SwapLastTwo(int rank)
    {
        var perm = Enumerable.Range(0, rank).Select(i => (long)i).ToArray();
        (perm[^1], perm[^2]) = (perm[^2], perm[^1]);
        return perm;
    }
}

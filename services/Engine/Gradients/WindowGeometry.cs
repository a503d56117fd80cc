namespace SaliencySlider.Engine.Gradients;

/// <summary>Kernel, strides, dilations and explicit pads of a sliding-window node (Conv, pooling), auto_pad resolved.</summary>
internal sealed record WindowGeometry(long[] Kernel, long[] Strides, long[] Dilations, long[] PadsBegin, long[] PadsEnd)
{
    public int Spatial => Kernel.Length;

    public static WindowGeometry Of(BackwardContext c, long[] inputShape, long[] outputShape, long[] kernel)
    {
        var spatial = kernel.Length;
        var strides = Attr.GetInts(c.Node, "strides") is { Length: > 0 } s ? s : Enumerable.Repeat(1L, spatial).ToArray();
        var dilations = Attr.GetInts(c.Node, "dilations") is { Length: > 0 } d ? d : Enumerable.Repeat(1L, spatial).ToArray();
        var pads = Attr.GetInts(c.Node, "pads") is { Length: > 0 } p ? p : new long[2 * spatial];
        var autoPad = Attr.GetString(c.Node, "auto_pad") ?? "NOTSET";
        var begin = pads[..spatial];
        var end = pads[spatial..];
        switch (autoPad)
        {
            case "" or "NOTSET":
                break;
            case "VALID":
                begin = new long[spatial];
                end = new long[spatial];
                break;
            case "SAME_UPPER" or "SAME_LOWER":
                for (var i = 0; i < spatial; i++)
                {
                    var total = Math.Max(0, ((outputShape[i + 2] - 1) * strides[i]) + ((kernel[i] - 1) * dilations[i]) + 1 - inputShape[i + 2]);
                    var small = total / 2;
                    begin[i] = autoPad == "SAME_UPPER" ? small : total - small;
                    end[i] = total - begin[i];
                }

                break;
            default:
                throw c.Unsupported($"unknown auto_pad '{autoPad}'");
        }

        return new WindowGeometry(kernel, strides, dilations, begin, end);
    }
}

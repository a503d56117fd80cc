using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.TestSupport;

/// <summary>A tiny classifier whose target layer is laid out as <see cref="TargetLayout"/> says (Engine.Tests' CAM layout tests, the CLI's --target-layout test).</summary>
internal static class TargetLayoutModel
{
    public const int Channels = 6;

    /// <summary>
    /// Conv(3→6, 2×2, stride 2) on an 8×8 image, ReLU (the target), mean over the 4×4 grid, Gemm to 5 classes;
    /// the same weights in every layout.
    /// </summary>
    public static byte[] Build(TargetLayout layout, out string target)
    {
        var m = new OnnxModelBuilder(seed: 130);
        var x = m.Input("image", [3, 8, 8]);
        var features = m.Conv(x, 3, Channels, 2, Attr.Ints("strides", [2, 2]));
        string pooled;
        switch (layout)
        {
            case TargetLayout.Nchw:
                target = m.Node("Relu", [features]);
                pooled = m.Node("Flatten", [m.Node("GlobalAveragePool", [target])], Attr.Int("axis", 1));
                break;
            case TargetLayout.Nhwc:
                target = m.Node("Relu", [m.Node("Transpose", [features], Attr.Ints("perm", [0, 2, 3, 1]))]);
                var channelsFirst = m.Node("Transpose", [target], Attr.Ints("perm", [0, 3, 1, 2]));
                pooled = m.Node("Flatten", [m.Node("GlobalAveragePool", [channelsFirst])], Attr.Int("axis", 1));
                break;
            default:
                var patches = m.Node("Transpose", [m.Node("Reshape", [features, m.Ints(0, Channels, 16)])], Attr.Ints("perm", [0, 2, 1]));
                var classToken = m.Node("ReduceMean", [patches], Attr.Ints("axes", [1]), Attr.Int("keepdims", 1));
                target = m.Node("Relu", [m.Node("Concat", [classToken, patches], Attr.Int("axis", 1))]);
                var grid = m.Node("Slice", [target, m.Ints(1), m.Ints(17), m.Ints(1)]);
                pooled = m.Node("ReduceMean", [grid], Attr.Ints("axes", [1]), Attr.Int("keepdims", 0));
                break;
        }

        m.Output(m.Node("Gemm", [pooled, m.Weight([5, Channels], 2f), m.Weight([5], 0.3f)], Attr.Int("transB", 1)));
        return m.Build();
    }
}

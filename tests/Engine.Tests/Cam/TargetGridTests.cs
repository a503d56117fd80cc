using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Tests.Cam;

public sealed class TargetGridTests
{
    public static TheoryData<string, int[], int, int, TargetGrid> InferredShapes => new()
    {
        { "ResNet-50 layer4", [2048, 7, 7], 224, 224, new(TargetLayout.Nchw, 2048, 7, 7) },
        { "MobileNetV2 first conv", [32, 112, 112], 224, 224, new(TargetLayout.Nchw, 32, 112, 112) },
        { "Inception v3 Mixed_7c", [2048, 8, 8], 299, 299, new(TargetLayout.Nchw, 2048, 8, 8) },
        { "Inception v3 Conv2d_2a", [32, 147, 147], 299, 299, new(TargetLayout.Nchw, 32, 147, 147) },
        { "ResNet at 160x128", [512, 4, 5], 128, 160, new(TargetLayout.Nchw, 512, 4, 5) },
        { "channels equal to the grid stay NCHW", [7, 7, 7], 224, 224, new(TargetLayout.Nchw, 7, 7, 7) },
        { "Swin-T final norm", [7, 7, 768], 224, 224, new(TargetLayout.Nhwc, 768, 7, 7) },
        { "Swin-T stage 1", [56, 56, 96], 224, 224, new(TargetLayout.Nhwc, 96, 56, 56) },
        { "ConvNeXt-T block, channels last", [28, 28, 192], 224, 224, new(TargetLayout.Nhwc, 192, 28, 28) },
        { "Swin-T at 256x192", [6, 8, 768], 192, 256, new(TargetLayout.Nhwc, 768, 6, 8) },
        { "ViT-B/16", [197, 768], 224, 224, new(TargetLayout.Tokens, 768, 14, 14, 1) },
        { "ViT-B/32", [50, 768], 224, 224, new(TargetLayout.Tokens, 768, 7, 7, 1) },
        { "ViT-L/14 at 336", [577, 1024], 336, 336, new(TargetLayout.Tokens, 1024, 24, 24, 1) },
        { "DeiT distilled (class and distillation token)", [198, 768], 224, 224, new(TargetLayout.Tokens, 768, 14, 14, 2) },
        { "DINOv2 with 4 registers", [261, 384], 224, 224, new(TargetLayout.Tokens, 384, 16, 16, 5) },
        { "patch tokens only (flattened Swin)", [49, 768], 224, 224, new(TargetLayout.Tokens, 768, 7, 7, 0) },
        { "ViT at 224x160", [141, 768], 160, 224, new(TargetLayout.Tokens, 768, 10, 14, 1) },
    };

    [Theory]
    [MemberData(nameof(InferredShapes))]
    public void Infers_the_layout_of_known_architectures(string architecture, int[] shape, int inputHeight, int inputWidth, TargetGrid expected)
    {
        Assert.True(expected == TargetGrid.Infer(shape, inputHeight, inputWidth), architecture);
        Assert.Equal(expected, TargetGrid.Resolve("layer", shape, inputHeight, inputWidth, layout: null, prefixTokens: null));
    }

    [Theory]
    [InlineData(768, 196)] // ViT's patch embedding reshaped to [C, T] before the transpose: not tokens.
    [InlineData(60, 64)]
    [InlineData(2, 4)]
    public void A_token_count_that_leaves_more_prefix_than_a_grid_row_is_not_tokens(int tokens, int channels)
        => Assert.Null(TargetGrid.Infer([tokens, channels], 224, 224));

    [Fact]
    public void Rank_one_and_rank_four_shapes_have_no_grid()
    {
        Assert.Null(TargetGrid.Infer([768], 224, 224));
        Assert.Null(TargetGrid.Infer([2, 3, 7, 7], 224, 224));
        var e = Assert.Throws<UnsupportedModelException>(() => TargetGrid.Resolve("pooled", [768], 224, 224, null, null));
        Assert.Contains("'pooled' (per-image shape [768])", e.Message);
        Assert.Contains("[N, C, H, W], [N, H, W, C] or tokens [N, T, C]", e.Message);
    }

    [Fact]
    public void A_stated_layout_overrides_the_inference()
    {
        Assert.Equal(new TargetGrid(TargetLayout.Nhwc, 7, 7, 7), TargetGrid.Resolve("x", [7, 7, 7], 224, 224, TargetLayout.Nhwc, null));
        Assert.Equal(new TargetGrid(TargetLayout.Nchw, 7, 7, 768), TargetGrid.Resolve("x", [7, 7, 768], 224, 224, TargetLayout.Nchw, null));
        Assert.Equal(new TargetGrid(TargetLayout.Tokens, 768, 14, 14, 1), TargetGrid.Resolve("x", [197, 768], 224, 224, TargetLayout.Tokens, null));
        Assert.Equal(new TargetGrid(TargetLayout.Tokens, 64, 2, 2, 17), TargetGrid.Resolve("x", [21, 64], 224, 224, TargetLayout.Tokens, 17));
    }

    [Fact]
    public void Stated_prefix_tokens_that_leave_no_patch_grid_are_refused_with_the_inferred_count()
    {
        var e = Assert.Throws<UnsupportedModelException>(() => TargetGrid.Resolve("blocks.11", [197, 768], 224, 224, TargetLayout.Tokens, 2));
        Assert.Contains("195 tokens form no patch grid of the 224x224 input (14x14 patches would leave 1)", e.Message);
    }

    [Fact]
    public void A_stated_layout_of_the_wrong_rank_is_refused()
    {
        var tokens = Assert.Throws<UnsupportedModelException>(() => TargetGrid.Resolve("stage4", [768, 7, 7], 224, 224, TargetLayout.Tokens, null));
        Assert.Contains("Cannot read target layer 'stage4' (per-image shape [768, 7, 7]) as tokens", tokens.Message);
        var nhwc = Assert.Throws<UnsupportedModelException>(() => TargetGrid.Resolve("blocks.11", [197, 768], 224, 224, TargetLayout.Nhwc, null));
        Assert.Contains("as nhwc, which needs a 4-D tensor", nhwc.Message);
    }

    [Fact]
    public void Unreadable_tokens_ask_for_the_prefix_count()
    {
        var e = Assert.Throws<UnsupportedModelException>(() => TargetGrid.Resolve("blocks.11", [60, 768], 224, 224, TargetLayout.Tokens, null));
        Assert.Contains("manifest \"prefixTokens\", CLI --prefix-tokens", e.Message);
    }

    [Fact]
    public void Channel_maps_drop_the_prefix_and_move_channels_first()
    {
        // 1 prefix token, a 2×2 grid, 3 channels: token t, channel k holds 10t + k.
        var tokens = Enumerable.Range(0, 5).SelectMany(t => Enumerable.Range(0, 3).Select(k => (10f * t) + k)).ToArray();
        var maps = new float[12];
        new TargetGrid(TargetLayout.Tokens, 3, 2, 2, 1).ToChannelMaps(tokens, maps);
        Assert.Equal([10f, 20, 30, 40, 11, 21, 31, 41, 12, 22, 32, 42], maps);

        // [H=2, W=2, C=3]: the same values without the prefix.
        new TargetGrid(TargetLayout.Nhwc, 3, 2, 2).ToChannelMaps(tokens.AsSpan(3), maps);
        Assert.Equal([10f, 20, 30, 40, 11, 21, 31, 41, 12, 22, 32, 42], maps);

        var nchw = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        new TargetGrid(TargetLayout.Nchw, 3, 2, 2).ToChannelMaps(nchw, maps);
        Assert.Equal(nchw, maps);
    }

    [Theory]
    [InlineData(7, 7, 224, 224, true)]
    [InlineData(8, 8, 299, 299, true)]
    [InlineData(7, 768, 224, 224, false)]
    [InlineData(56, 96, 224, 224, false)]
    [InlineData(512, 7, 224, 224, false)]
    [InlineData(4, 5, 128, 160, true)]
    [InlineData(5, 4, 128, 160, false)]
    public void A_plausible_grid_has_one_stride_on_both_axes(int h, int w, int inputHeight, int inputWidth, bool plausible)
        => Assert.Equal(plausible, TargetGrid.IsPlausibleGrid(h, w, inputHeight, inputWidth));
}

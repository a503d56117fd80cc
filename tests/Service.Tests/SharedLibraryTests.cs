using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;

namespace SaliencySlider.Service.Tests;

public sealed class SharedLibraryTests
{
    private static readonly ModelLimits Mobilenet = new("mobilenet_v2_1.0_224", 1000, "MobilenetV2/Conv_1/Relu6");

    [Fact]
    public void Zero_options_normalise_to_the_documented_defaults()
    {
        var options = ExplainOptionsNormalizer.Normalize(new ExplainOptions(), Mobilenet);

        Assert.Equal(CamMethod.GradCam, options.Method);
        Assert.Equal(21, options.FrameCount);
        Assert.Equal(Baseline.Blur, options.Baseline);
        Assert.Equal(512, options.MaxFrameSide);
        Assert.Equal(ImageFormat.Jpeg, options.FrameFormat);
        Assert.Equal(5, options.TopK);
        Assert.Equal("MobilenetV2/Conv_1/Relu6", options.TargetLayer);
        Assert.False(options.HasTargetClass);
    }

    [Theory]
    [InlineData("max_frame_side", 8)]
    [InlineData("top_k", 21)]
    public void Out_of_range_options_say_which_and_the_range(string name, int value)
    {
        var requested = name == "top_k" ? new ExplainOptions { TopK = value } : new ExplainOptions { MaxFrameSide = value };

        var error = Assert.Throws<InvalidOptionsException>(() => ExplainOptionsNormalizer.Normalize(requested, Mobilenet));

        Assert.StartsWith($"{name} {value} is out of range", error.Message);
    }

    [Fact]
    public void The_score_cam_channel_cap_is_kept_for_score_cam_only_and_bounded_as_the_engine_bounds_it()
    {
        Assert.Equal(32, ExplainOptionsNormalizer.Normalize(new ExplainOptions { Method = CamMethod.ScoreCam, ScoreCamChannels = 32 }, Mobilenet).ScoreCamChannels);
        Assert.Equal(0, ExplainOptionsNormalizer.Normalize(new ExplainOptions { Method = CamMethod.ScoreCam }, Mobilenet).ScoreCamChannels);
        Assert.Equal(0, ExplainOptionsNormalizer.Normalize(new ExplainOptions { ScoreCamChannels = 32 }, Mobilenet).ScoreCamChannels);
        Assert.Throws<InvalidOptionsException>(() => ExplainOptionsNormalizer.Normalize(new ExplainOptions { ScoreCamChannels = -5 }, Mobilenet));
    }

    [Fact]
    public void Unknown_enum_values_and_odd_layer_names_are_refused()
    {
        Assert.Throws<InvalidOptionsException>(() => ExplainOptionsNormalizer.Normalize(new ExplainOptions { Method = (CamMethod)42 }, Mobilenet));
        Assert.Throws<InvalidOptionsException>(() => ExplainOptionsNormalizer.Normalize(new ExplainOptions { TargetLayer = "two words" }, Mobilenet));
    }

    [Fact]
    public void Job_ids_depend_on_image_model_options_and_secret_but_not_on_spelling_out_defaults()
    {
        var ids = new JobIdFactory("secret");
        byte[] image = [1, 2, 3];
        var defaults = ExplainOptionsNormalizer.Normalize(new ExplainOptions(), Mobilenet);
        var spelledOut = ExplainOptionsNormalizer.Normalize(new ExplainOptions { FrameCount = 21, TopK = 5, Method = CamMethod.GradCam }, Mobilenet);
        var id = ids.Create(image, "m", defaults);

        Assert.Equal(id, ids.Create(image, "m", spelledOut));
        Assert.True(JobIdFactory.IsWellFormed(id));
        Assert.NotEqual(id, ids.Create([1, 2, 4], "m", defaults));
        Assert.NotEqual(id, ids.Create(image, "n", defaults));
        Assert.NotEqual(id, ids.Create(image, "m", ExplainOptionsNormalizer.Normalize(new ExplainOptions { FrameCount = 22 }, Mobilenet)));
        Assert.NotEqual(id, new JobIdFactory("other").Create(image, "m", defaults));
    }

    [Theory]
    [InlineData("redis://:p%40ss@cache.example:6380/2", "cache.example:6380", "p@ss", 2)]
    [InlineData("localhost:6379,password=x", "localhost:6379", "x", null)]
    public void Redis_urls_and_configuration_strings_both_parse(string configuration, string endpoint, string password, int? database)
    {
        var options = RedisConnector.ParseConfiguration(configuration);

        Assert.Equal(endpoint, Assert.Single(options.EndPoints).ToString()!.Replace("Unspecified/", "", StringComparison.Ordinal));
        Assert.Equal(password, options.Password);
        Assert.Equal(database, options.DefaultDatabase);
        Assert.False(options.AbortOnConnectFail);
    }
}

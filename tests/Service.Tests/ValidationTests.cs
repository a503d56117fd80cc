using System.Net;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using Grpc.Net.Client;
using Grpc.Net.Client.Web;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using SaliencySlider.Service.Tests.Security;

namespace SaliencySlider.Service.Tests;

/// <summary>Requests the gateway refuses, and how it says so. No worker runs: nothing may be queued.</summary>
public sealed class ValidationTests(ServiceStack stack) : IClassFixture<ServiceStack>
{
    private async Task<RpcException> SubmitFails(SubmitRequest request)
    {
        var queuedBefore = await stack.Redis.StreamLengthAsync(stack.QueueStream);
        var error = await Assert.ThrowsAsync<RpcException>(() => stack.Client.SubmitAsync(request, stack.Deadline()).ResponseAsync);
        Assert.Equal(queuedBefore, await stack.Redis.StreamLengthAsync(stack.QueueStream));
        return error;
    }

    private static SubmitRequest Chelsea(ExplainOptions? options = null, string model = "") => new()
    {
        Image = ByteString.CopyFrom(TestImages.Read("chelsea.png")),
        Model = model,
        Options = options ?? new ExplainOptions(),
    };

    [Fact]
    public async Task Garbage_bytes_are_invalid_argument_naming_the_supported_formats()
    {
        var error = await SubmitFails(new SubmitRequest { Image = ByteString.CopyFrom(Encoding.ASCII.GetBytes("this is not an image at all")) });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("not a decodable JPEG, PNG, WebP, GIF or BMP", error.Status.Detail);
    }

    [Fact]
    public async Task An_empty_image_is_invalid_argument()
    {
        var error = await SubmitFails(new SubmitRequest());

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("image is empty", error.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_model_is_invalid_argument_listing_the_known_ones()
    {
        var error = await SubmitFails(Chelsea(model: "resnet9000"));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("unknown model 'resnet9000'", error.Status.Detail);
        Assert.Contains("mobilenet_v2_1.0_224", error.Status.Detail);
    }

    [Theory]
    [InlineData(500, "frame_count 500 is out of range: use 2..101")]
    [InlineData(1, "frame_count 1 is out of range: use 2..101")]
    public async Task A_frame_count_out_of_range_is_invalid_argument(int frameCount, string message)
    {
        var error = await SubmitFails(Chelsea(new ExplainOptions { FrameCount = frameCount }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains(message, error.Status.Detail);
    }

    [Fact]
    public async Task A_target_class_beyond_the_models_classes_is_invalid_argument()
    {
        var error = await SubmitFails(Chelsea(new ExplainOptions { TargetClass = 1000 }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("has classes 0..999", error.Status.Detail);
    }

    [Fact]
    public async Task A_target_layer_that_names_no_tensor_is_invalid_argument_suggesting_the_default()
    {
        var error = await SubmitFails(Chelsea(new ExplainOptions { TargetLayer = "MobilenetV2/Conv_9/Relu6" }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith("target_layer 'MobilenetV2/Conv_9/Relu6' cannot be explained on model 'mobilenet_v2_1.0_224': no tensor of the model has that name", error.Status.Detail);
        Assert.Contains("layers you can explain with CAM_METHOD_GRAD_CAM include: MobilenetV2/Conv_1/Relu6 (default), ", error.Status.Detail);
    }

    [Theory]
    [InlineData(CamMethod.GradCam)]
    [InlineData(CamMethod.EigenCam)]
    [InlineData(CamMethod.ScoreCam)]
    public async Task The_logits_are_no_target_layer_for_any_method(CamMethod method)
    {
        var error = await SubmitFails(Chelsea(new ExplainOptions { TargetLayer = "logits", Method = method }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("target_layer 'logits' cannot be explained on model 'mobilenet_v2_1.0_224': it is the logits tensor itself", error.Status.Detail);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(8193)]
    public async Task A_score_cam_channel_cap_out_of_range_is_invalid_argument(int channels)
    {
        var error = await SubmitFails(Chelsea(new ExplainOptions { Method = CamMethod.ScoreCam, ScoreCamChannels = channels }));

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains($"score_cam_channels {channels} is out of range: use 1..8192 channels", error.Status.Detail);
    }

    [Fact]
    public async Task An_image_over_the_pixel_limit_is_refused_from_its_header()
    {
        var error = await SubmitFails(new SubmitRequest { Image = ByteString.CopyFrom(HostileImages.PngHeaderOnly(20000, 30000)) });

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.Contains("20000×30000 = 600 MP; the limit is 40 MP", error.Status.Detail);
    }

    [Fact]
    public async Task An_unknown_job_is_not_found_and_a_malformed_id_is_invalid_argument()
    {
        var unknown = new string('a', 64);
        var getError = await Assert.ThrowsAsync<RpcException>(() => stack.Client.GetJobAsync(new GetJobRequest { JobId = unknown }).ResponseAsync);
        Assert.Equal(StatusCode.NotFound, getError.StatusCode);

        using var stream = stack.Client.StreamFrames(new StreamFramesRequest { JobId = unknown }, stack.Deadline());
        var streamError = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.NotFound, streamError.StatusCode);

        var malformed = await Assert.ThrowsAsync<RpcException>(() => stack.Client.GetJobAsync(new GetJobRequest { JobId = "../../etc/passwd" }).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, malformed.StatusCode);
        Assert.Contains("malformed", malformed.Status.Detail);
    }

    [Fact]
    public async Task A_valid_submission_without_workers_is_queued_once_with_its_position()
    {
        var queuedBefore = await stack.Redis.StreamLengthAsync(stack.QueueStream);
        var first = await stack.Client.SubmitAsync(Chelsea(new ExplainOptions { FrameCount = 3 }), stack.Deadline());
        var second = await stack.Client.SubmitAsync(Chelsea(new ExplainOptions { FrameCount = 4 }), stack.Deadline());
        var again = await stack.Client.SubmitAsync(Chelsea(new ExplainOptions { FrameCount = 4 }), stack.Deadline());

        Assert.NotEqual(first.JobId, second.JobId);
        Assert.Equal(second.QueuePosition, first.QueuePosition + 1);
        Assert.True(again.Cached);
        Assert.Equal(JobState.Queued, again.State);
        Assert.Equal(queuedBefore + 2, await stack.Redis.StreamLengthAsync(stack.QueueStream));
    }

    [Fact]
    public async Task The_http_port_serves_healthz_and_grpc_web()
    {
        using var http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{stack.HttpPort}") };
        var health = await http.GetAsync(new Uri("/healthz", UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, health.StatusCode);

        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{stack.HttpPort}", new GrpcChannelOptions
        {
            HttpHandler = new GrpcWebHandler(GrpcWebMode.GrpcWebText, new HttpClientHandler()),
            HttpVersion = HttpVersion.Version11,
        });
        var client = new SaliencySlider.Contracts.V1.SaliencySliderService.SaliencySliderServiceClient(channel);
        var models = await client.ListModelsAsync(new ListModelsRequest(), stack.Deadline());
        Assert.Contains(models.Models, m => m.Name == "mobilenet_v2_1.0_224");
    }
}

using System.Text;
using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;
using SkiaSharp;
using static SaliencySlider.Service.Tests.Security.HostileImages;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>
/// A corpus of hostile and odd submissions against the running gateway and a worker: each either
/// completes or is refused with INVALID_ARGUMENT and a message naming the problem (never INTERNAL,
/// never a crash), and the service still answers a good request afterwards.
/// </summary>
public sealed class HostileInputTests(WorkerStack fixture) : IClassFixture<WorkerStack>
{
    private readonly ServiceStack _stack = fixture.Stack;

    /// <summary>Works: the job completes. Otherwise the expected status and a fragment of its message.</summary>
    public sealed record Case(string Name, byte[] Image, string Expect, ExplainOptions? Options = null, string Model = "")
    {
        public const string Works = "works";
        public const string WorksOrRefused = "works-or-refused";

        public override string ToString() => Name;
    }

    private static ExplainOptions Small => new() { FrameCount = 2, MaxFrameSide = 32 };

    private static IEnumerable<Case> Corpus()
    {
        var png = ChelseaAs(SKEncodedImageFormat.Png);
        var jpeg = ChelseaAs(SKEncodedImageFormat.Jpeg);
        yield return new("zero bytes", [], "image is empty");
        yield return new("text", Encoding.ASCII.GetBytes("this is a text file, not an image"), "not a decodable");
        yield return new("random bytes", Enumerable.Range(0, 4096).Select(i => (byte)(i * 7919 % 251)).ToArray(), "not a decodable");
        yield return new("PNG signature only", png[..8], "not a decodable");
        yield return new("PNG truncated in its pixel data", Truncated(png, 0.6), "truncated");
        yield return new("JPEG truncated in its scan", Truncated(jpeg, 0.6), "truncated");
        yield return new("JPEG header only (SOF, no scan)", JpegHeaderOnly(640, 480), "JPEG");
        yield return new("PNG with scribbled pixel data", Scribbled(png), "corrupt");
        yield return new("JPEG with scribbled scan data", Scribbled(jpeg), Case.WorksOrRefused);
        yield return new("mislabelled: JPEG marker, PNG body", [0xFF, 0xD8, 0xFF, .. png[8..]], "JPEG");
        yield return new("mislabelled: PNG signature, JPEG body", [.. png[..8], .. jpeg], "not a decodable");
        yield return new("TIFF", [(byte)'I', (byte)'I', 42, 0, 8, 0, 0, 0, 0, 0], "not a decodable");
        yield return new("header claims 20000×30000 (600 MP)", PngBomb(20000, 30000)[..200], "600 MP; the limit is 40 MP");
        yield return new("decompression bomb 8000×5001 of zeros", PngBomb(8000, 5001), "the limit is 40 MP");
        yield return new("JPEG header claims 65000×65000", WithJpegSize(jpeg, 65000, 65000), "65000×65000 = 4225 MP; the limit is 40 MP");
        yield return new("JPEG header only, claims 65000×65000", JpegHeaderOnly(65000, 65000), "not a decodable");
        yield return new("20000×1 strip", Png(20000, 1, 2, 8), "differ more than 50:1");
        yield return new("1×20000 strip", Png(1, 20000, 0, 8), "differ more than 50:1");
        yield return new("1×1 PNG", Solid(1, 1, SKEncodedImageFormat.Png), Case.Works);
        yield return new("1×1 JPEG", Solid(1, 1, SKEncodedImageFormat.Jpeg), Case.Works);
        yield return new("grayscale 8-bit PNG", Png(40, 30, 0, 8), Case.Works);
        yield return new("grayscale 16-bit PNG", Png(40, 30, 0, 16), Case.Works);
        yield return new("RGB 16-bit PNG", Png(40, 30, 2, 16), Case.Works);
        yield return new("gray+alpha 16-bit PNG", Png(40, 30, 4, 16), Case.Works);
        yield return new("RGBA PNG with transparency", Solid(48, 32, SKEncodedImageFormat.Png, new SKColor(10, 200, 30, 90)), Case.Works);
        yield return new("animated GIF", AnimatedGif(), Case.Works);
        yield return new("BMP", Bmp(40, 30), Case.Works);
        yield return new("WebP", ChelseaAs(SKEncodedImageFormat.Webp), Case.Works);
        yield return new("CMYK JPEG", CmykJpeg, Case.Works);
        yield return new("EXIF orientation 6", WithExifOrientation(RedLeftBlueRight(), 6), Case.Works);
        yield return new("101 PNG frames of 2048×1536", Solid(4000, 3000, SKEncodedImageFormat.Png), "this job would store about",
            new ExplainOptions { FrameCount = 101, MaxFrameSide = 2048, FrameFormat = ImageFormat.Png });
        yield return new("a comparison's heatmaps of 2048×2048", Solid(4000, 4000, SKEncodedImageFormat.Png), "this comparison would store about",
            new ExplainOptions { CompareMethods = true, MaxFrameSide = 2048 });
        yield return new("image over the size limit", new byte[(10 * 1024 * 1024) + 100], "the limit is 10 MiB");
        yield return new("message over the transport limit", new byte[12 * 1024 * 1024], "RESOURCE_EXHAUSTED");
        yield return new("frame_count -5", png, "frame_count -5 is out of range", new ExplainOptions { FrameCount = -5 });
        yield return new("frame_count 102", png, "frame_count 102 is out of range", new ExplainOptions { FrameCount = 102 });
        yield return new("max_frame_side 100000", png, "max_frame_side 100000 is out of range", new ExplainOptions { MaxFrameSide = 100000 });
        yield return new("max_frame_side 15", png, "max_frame_side 15 is out of range", new ExplainOptions { MaxFrameSide = 15 });
        yield return new("top_k 21", png, "top_k 21 is out of range", new ExplainOptions { TopK = 21 });
        yield return new("top_k -1", png, "top_k -1 is out of range", new ExplainOptions { TopK = -1 });
        yield return new("method 99", png, "method 99 is not a known value", new ExplainOptions { Method = (CamMethod)99 });
        yield return new("baseline 7", png, "baseline 7 is not a known value", new ExplainOptions { Baseline = (Baseline)7 });
        yield return new("frame_format -2", png, "frame_format -2 is not a known value", new ExplainOptions { FrameFormat = (ImageFormat)(-2) });
        yield return new("target_class -1", png, "target_class -1 is negative", new ExplainOptions { TargetClass = -1 });
        yield return new("target_class 1000", png, "has classes 0..999", new ExplainOptions { TargetClass = 1000 });
        yield return new("target_layer with a space", png, "target_layer must be", new ExplainOptions { TargetLayer = "a layer" });
        yield return new("target_layer of 10000 characters", png, "target_layer must be", new ExplainOptions { TargetLayer = new string('x', 10000) });
        yield return new("target_layer naming no tensor", png, "target_layer 'no/such/layer' cannot be explained", new ExplainOptions { TargetLayer = "no/such/layer" });
        yield return new("target_layer of 256 characters naming no tensor", png, "no tensor of the model has that name", new ExplainOptions { TargetLayer = new string('x', 256) });
        yield return new("target_layer the logits", png, "it is the logits tensor itself", new ExplainOptions { TargetLayer = "logits" });
        yield return new("target_layer of an earlier block", png, Case.Works, new ExplainOptions { TargetLayer = "MobilenetV2/expanded_conv_16/expand/Relu6", FrameCount = 2, MaxFrameSide = 32 });
        yield return new("unknown model", png, "unknown model 'resnet-9000'", Model: "resnet-9000");
        yield return new("model name of 100000 characters", png, "model names have at most 128", Model: new string('m', 100000));
        yield return new("model name with control characters", png, "unknown model", Model: "mobilenet\0\n\r");
    }

    public static TheoryData<Case> Cases() => [.. Corpus()];

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Each_hostile_submission_works_or_gets_a_precise_INVALID_ARGUMENT(Case hostile)
    {
        var request = new SubmitRequest { Image = ByteString.CopyFrom(hostile.Image), Model = hostile.Model, Options = hostile.Options ?? Small };
        Submitted? submitted = null;
        RpcException? refused = null;
        try
        {
            var response = await _stack.Client.SubmitAsync(request, _stack.Deadline());
            submitted = new Submitted(response.JobId);
        }
        catch (RpcException e)
        {
            refused = e;
        }

        switch (hostile.Expect)
        {
            case Case.Works:
                Assert.True(refused is null, $"{hostile.Name}: refused with {refused?.StatusCode}: {refused?.Status.Detail}");
                await AssertCompletesAsync(hostile, submitted!.JobId);
                break;
            case Case.WorksOrRefused when refused is null:
                await AssertCompletesAsync(hostile, submitted!.JobId);
                break;
            case Case.WorksOrRefused:
                Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
                break;
            case "RESOURCE_EXHAUSTED":
                Assert.NotNull(refused);
                Assert.Equal(StatusCode.ResourceExhausted, refused.StatusCode);
                break;
            default:
                Assert.True(refused is not null, $"{hostile.Name}: accepted, expected INVALID_ARGUMENT with '{hostile.Expect}'");
                Assert.Equal(StatusCode.InvalidArgument, refused.StatusCode);
                Assert.Contains(hostile.Expect, refused.Status.Detail);
                Assert.True(refused.Status.Detail.Length < 400, $"message too long: {refused.Status.Detail.Length} characters");
                break;
        }
    }

    [Fact]
    public async Task Malformed_job_ids_are_refused_before_any_lookup()
    {
        foreach (var jobId in new[] { "ABC", new string('A', 64), new string('a', 63), new string('a', 65), "../../etc/passwd", new string('g', 64), new string('a', 100000) })
        {
            var get = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.GetJobAsync(new GetJobRequest { JobId = jobId }, _stack.Deadline()).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, get.StatusCode);
            Assert.Contains("malformed", get.Status.Detail);
            using var stream = _stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, _stack.Deadline());
            var follow = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
            Assert.Equal(StatusCode.InvalidArgument, follow.StatusCode);
        }
    }

    [Fact]
    public async Task After_the_whole_corpus_a_good_request_is_still_answered()
    {
        foreach (var hostile in Corpus().Where(c => c.Expect is not Case.Works and not Case.WorksOrRefused))
        {
            await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(
                new SubmitRequest { Image = ByteString.CopyFrom(hostile.Image), Model = hostile.Model, Options = hostile.Options ?? Small }, _stack.Deadline()).ResponseAsync);
        }

        var good = await _stack.Client.SubmitAsync(new SubmitRequest { Image = ByteString.CopyFrom(TestImages.Cropped("chelsea.png", 7)), Options = Small }, _stack.Deadline());
        var events = await _stack.StreamAllAsync(good.JobId);
        EventAssertions.AssertCompleteJob(events, good.JobId, 2);
    }

    private async Task AssertCompletesAsync(Case hostile, string jobId)
    {
        var events = await _stack.StreamAllAsync(jobId);
        var last = events[^1];
        Assert.True(last.EventCase == JobEvent.EventOneofCase.Completed,
            $"{hostile.Name}: accepted but did not complete: {EventAssertions.Describe(events)}");
        if (hostile.Name.StartsWith("EXIF", StringComparison.Ordinal))
        {
            // Stored red left, blue right; orientation 6 (turn 90° clockwise) shows red on top, blue below.
            var full = events.Where(e => e.EventCase == JobEvent.EventOneofCase.Frame).MaxBy(e => e.Frame.Percent)!.Frame;
            using var frame = SKBitmap.Decode(full.Image.ToByteArray());
            var top = frame.GetPixel(frame.Width / 2, 1);
            var bottom = frame.GetPixel(frame.Width / 2, frame.Height - 2);
            Assert.True(top.Red > top.Blue && bottom.Blue > bottom.Red, $"top {top}, bottom {bottom}: the EXIF orientation was not applied");
        }
    }

    private sealed record Submitted(string JobId);
}

using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>Two streams per client, three in all; behind a trusted proxy (any loopback caller) so the test can be several clients.</summary>
public sealed class StreamLimitedStack() : ConfiguredStack(
    new("Gateway:TrustedProxies", "127.0.0.1/32, ::1"),
    new("Streams:MaxPerClient", "2"),
    new("Streams:MaxTotal", "3"),
    new("Streams:RetryAfter", "00:00:04"));

public sealed class StreamLimitTests(StreamLimitedStack fixture) : IClassFixture<StreamLimitedStack>
{
    private readonly ServiceStack _stack = fixture.Stack;

    private AsyncServerStreamingCall<StreamFramesResponse> Follow(string jobId, string client, CancellationToken cancel)
        => _stack.Client.StreamFrames(new StreamFramesRequest { JobId = jobId }, new Metadata { { "x-forwarded-for", client } }, cancellationToken: cancel);

    [Fact]
    public async Task Streams_over_the_per_client_or_the_total_cap_get_RESOURCE_EXHAUSTED_with_a_retry_hint_until_one_ends()
    {
        var jobId = (await _stack.Client.SubmitAsync(new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Cropped("flower.jpg", 4)),
            Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 32 },
        }, _stack.Deadline())).JobId; // no worker: the job stays QUEUED and its followers stay open
        using var cancel = new CancellationTokenSource();
        var a1 = Follow(jobId, "203.0.113.1", cancel.Token);
        var a2 = Follow(jobId, "203.0.113.1", cancel.Token);
        Assert.True(await a1.ResponseStream.MoveNext(CancellationToken.None));
        Assert.True(await a2.ResponseStream.MoveNext(CancellationToken.None));

        using var a3 = Follow(jobId, "203.0.113.1", CancellationToken.None);
        var perClient = await Assert.ThrowsAsync<RpcException>(() => a3.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, perClient.StatusCode);
        Assert.Contains("this client has 2 streams open; the limit is 2; retry in 4 s", perClient.Status.Detail);
        Assert.Equal("4", perClient.Trailers.GetValue("retry-after"));

        var b1 = Follow(jobId, "203.0.113.2", cancel.Token);
        Assert.True(await b1.ResponseStream.MoveNext(CancellationToken.None));
        using var c1 = Follow(jobId, "203.0.113.3", CancellationToken.None);
        var total = await Assert.ThrowsAsync<RpcException>(() => c1.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, total.StatusCode);
        Assert.Contains("the server has 3 streams open; the limit is 3", total.Status.Detail);
        using var explain = _stack.Client.Explain(new ExplainRequest(), new Metadata { { "x-forwarded-for", "203.0.113.3" } });
        Assert.Equal(StatusCode.ResourceExhausted, (await Assert.ThrowsAsync<RpcException>(() => explain.ResponseStream.MoveNext(CancellationToken.None))).StatusCode);

        // When a stream ends its place is free again: the server notices a cancelled stream asynchronously, so poll briefly.
        a1.Dispose();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(10);
        StatusCode status;
        do
        {
            using var retry = Follow(jobId, "203.0.113.3", cancel.Token);
            try
            {
                status = await retry.ResponseStream.MoveNext(CancellationToken.None) ? StatusCode.OK : StatusCode.Unknown;
            }
            catch (RpcException e)
            {
                status = e.StatusCode;
            }
        }
        while (status == StatusCode.ResourceExhausted && DateTime.UtcNow < deadline);

        Assert.Equal(StatusCode.OK, status);
        await cancel.CancelAsync();
        a2.Dispose();
        b1.Dispose();
    }
}

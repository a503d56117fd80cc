using Google.Protobuf;
using Grpc.Core;
using Grpc.Health.V1;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>A gateway with API keys, a per-client rate limit and a queue depth limit (no worker: queued jobs stay).</summary>
public sealed class SecuredStack() : ConfiguredStack(
    new("Auth:ApiKeys", "alpha-key, beta-key,gamma-key,delta-key"),
    new("RateLimit:SubmitsPerMinute", "2"),
    new("RateLimit:Burst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    new("Queue:MaxDepth", "2"),
    new("Queue:BusyRetryAfter", "00:00:07"))
{
    public const int Burst = 4;
}

public sealed class AccessLimitTests(SecuredStack fixture) : IClassFixture<SecuredStack>
{
    private readonly ServiceStack _stack = fixture.Stack;

    private static CallOptions With(string? apiKey = null, string? bearer = null)
    {
        var headers = new Metadata();
        if (apiKey is not null)
        {
            headers.Add("x-api-key", apiKey);
        }

        if (bearer is not null)
        {
            headers.Add("authorization", "Bearer " + bearer);
        }

        return new CallOptions(headers, DateTime.UtcNow + ServiceStack.CallTimeout);
    }

    private static SubmitRequest Empty => new();

    [Fact]
    public async Task Without_a_valid_key_every_rpc_but_health_is_UNAUTHENTICATED()
    {
        var missing = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.ListModelsAsync(new ListModelsRequest(), With()).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, missing.StatusCode);
        Assert.Contains("requires an API key", missing.Status.Detail);
        var wrong = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.ListModelsAsync(new ListModelsRequest(), With(apiKey: "alpha-kex")).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, wrong.StatusCode);
        Assert.DoesNotContain("alpha", wrong.Status.Detail);
        var submit = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(Empty, With(bearer: "nope")).ResponseAsync);
        Assert.Equal(StatusCode.Unauthenticated, submit.StatusCode);
        using var stream = _stack.Client.StreamFrames(new StreamFramesRequest { JobId = new string('a', 64) }, With());
        var follow = await Assert.ThrowsAsync<RpcException>(() => stream.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.Unauthenticated, follow.StatusCode);

        Assert.NotEmpty((await _stack.Client.ListModelsAsync(new ListModelsRequest(), With(apiKey: "beta-key"))).Models);
        Assert.NotEmpty((await _stack.Client.ListModelsAsync(new ListModelsRequest(), With(bearer: "alpha-key"))).Models);
        var health = new Health.HealthClient(Grpc.Net.Client.GrpcChannel.ForAddress($"http://127.0.0.1:{_stack.GrpcPort}"));
        Assert.Equal(HealthCheckResponse.Types.ServingStatus.Serving, (await health.CheckAsync(new HealthCheckRequest())).Status);
    }

    [Fact]
    public async Task Each_client_gets_its_burst_of_submissions_then_RESOURCE_EXHAUSTED_with_a_retry_hint()
    {
        for (var i = 0; i < SecuredStack.Burst; i++)
        {
            var invalid = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(Empty, With(apiKey: "beta-key")).ResponseAsync);
            Assert.Equal(StatusCode.InvalidArgument, invalid.StatusCode);
        }

        var limited = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(Empty, With(apiKey: "beta-key")).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Contains("too many submissions", limited.Status.Detail);
        Assert.InRange(int.Parse(limited.Trailers.GetValue("retry-after")!, System.Globalization.CultureInfo.InvariantCulture), 1, 30);
        using var explain = _stack.Client.Explain(new ExplainRequest(), With(apiKey: "beta-key"));
        var explainLimited = await Assert.ThrowsAsync<RpcException>(() => explain.ResponseStream.MoveNext(CancellationToken.None));
        Assert.Equal(StatusCode.ResourceExhausted, explainLimited.StatusCode);

        // Another key is another client, and reading is not limited.
        var other = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(Empty, With(bearer: "alpha-key")).ResponseAsync);
        Assert.Equal(StatusCode.InvalidArgument, other.StatusCode);
        Assert.NotEmpty((await _stack.Client.ListModelsAsync(new ListModelsRequest(), With(apiKey: "beta-key"))).Models);
    }

    [Fact]
    public async Task A_full_queue_refuses_new_jobs_with_RESOURCE_EXHAUSTED_and_a_retry_hint_but_answers_known_ones()
    {
        SubmitRequest Image(int inset) => new()
        {
            Image = ByteString.CopyFrom(TestImages.Cropped("coffee.png", inset)),
            Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 32 },
        };
        var first = await _stack.Client.SubmitAsync(Image(1), With(apiKey: "gamma-key"));
        await _stack.Client.SubmitAsync(Image(2), With(apiKey: "gamma-key"));

        var full = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(Image(3), With(apiKey: "delta-key")).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, full.StatusCode);
        Assert.Contains("the job queue is full (2 jobs waiting or running; the limit is 2); retry in 7 s", full.Status.Detail);
        Assert.Equal("7", full.Trailers.GetValue("retry-after"));
        var again = await _stack.Client.SubmitAsync(Image(1), With(apiKey: "delta-key"));
        Assert.True(again.Cached);
        Assert.Equal(first.JobId, again.JobId);
        Assert.Equal(2, await _stack.Redis.StreamLengthAsync(_stack.QueueStream));
    }
}

/// <summary>The default configuration: no API keys, a rate limit of one submission per client.</summary>
public sealed class KeylessStack() : ConfiguredStack(
    new("RateLimit:SubmitsPerMinute", "1"),
    new("RateLimit:Burst", "1"));

public sealed class KeylessRateLimitTests(KeylessStack fixture) : IClassFixture<KeylessStack>
{
    private async Task<StatusCode> SubmitWithKeyAsync(string? apiKey)
    {
        var headers = new Metadata();
        if (apiKey is not null)
        {
            headers.Add("x-api-key", apiKey);
        }

        var error = await Assert.ThrowsAsync<RpcException>(() =>
            fixture.Stack.Client.SubmitAsync(new SubmitRequest(), new CallOptions(headers, DateTime.UtcNow + ServiceStack.CallTimeout)).ResponseAsync);
        return error.StatusCode;
    }

    [Fact]
    public async Task With_keys_off_made_up_keys_are_rate_limited_like_no_key()
    {
        // An empty request is admitted (then refused as INVALID_ARGUMENT) or rate-limited (RESOURCE_EXHAUSTED).
        Assert.Equal(StatusCode.InvalidArgument, await SubmitWithKeyAsync("made-up-1"));
        Assert.Equal(StatusCode.ResourceExhausted, await SubmitWithKeyAsync("made-up-2"));
        Assert.Equal(StatusCode.ResourceExhausted, await SubmitWithKeyAsync(null));
        Assert.Equal(StatusCode.ResourceExhausted, await SubmitWithKeyAsync("made-up-3"));
    }
}

/// <summary>A queue depth limit of 3, no rate limit, no worker: queued jobs stay.</summary>
public sealed class ShallowQueueStack() : ConfiguredStack(
    new("RateLimit:SubmitsPerMinute", "0"),
    new("Queue:MaxDepth", MaxDepth.ToString(System.Globalization.CultureInfo.InvariantCulture)))
{
    public const int MaxDepth = 3;
}

public sealed class QueueDepthRaceTests(ShallowQueueStack fixture) : IClassFixture<ShallowQueueStack>
{
    [Fact]
    public async Task Concurrent_submissions_never_queue_more_than_MaxDepth_jobs()
    {
        var requests = Enumerable.Range(1, 16).Select(inset => new SubmitRequest
        {
            Image = ByteString.CopyFrom(TestImages.Cropped("coffee.png", inset)),
            Options = new ExplainOptions { FrameCount = 2, MaxFrameSide = 32 },
        }).ToList();

        var outcomes = await Task.WhenAll(requests.Select(async request =>
        {
            try
            {
                await fixture.Stack.Client.SubmitAsync(request, deadline: DateTime.UtcNow + ServiceStack.CallTimeout);
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        Assert.Equal(ShallowQueueStack.MaxDepth, outcomes.Count(s => s == StatusCode.OK));
        Assert.Equal(requests.Count - ShallowQueueStack.MaxDepth, outcomes.Count(s => s == StatusCode.ResourceExhausted));
        Assert.Equal(ShallowQueueStack.MaxDepth, await fixture.Stack.Redis.StreamLengthAsync(fixture.Stack.QueueStream));
    }
}

using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Rest;

/// <summary>API keys and a per-client burst of <see cref="Burst"/> submissions (no worker).</summary>
public sealed class KeyedRestStack() : ConfiguredStack(
    new("Auth:ApiKeys", "rest-key,limited-key"),
    new("RateLimit:SubmitsPerMinute", "1"),
    new("RateLimit:Burst", Burst.ToString(System.Globalization.CultureInfo.InvariantCulture)))
{
    public const int Burst = 2;
}

/// <summary>The REST routes pass the same API-key check and rate limit as gRPC (the interceptors of the one service).</summary>
public sealed class RestAccessTests(KeyedRestStack fixture) : IClassFixture<KeyedRestStack>, IDisposable
{
    private readonly ServiceStack _stack = fixture.Stack;
    private readonly RestClient _rest = new(fixture.Stack);

    [Fact]
    public async Task Without_a_valid_key_every_route_is_401_and_with_one_it_answers()
    {
        var routes = new (HttpMethod Method, string Path)[]
        {
            (HttpMethod.Get, "/v1/models"), (HttpMethod.Post, "/v1/jobs"), (HttpMethod.Get, "/v1/jobs/" + new string('0', 64)),
            (HttpMethod.Get, $"/v1/jobs/{new string('0', 64)}/events"), (HttpMethod.Post, "/v1/explain"),
        };
        foreach (var (method, path) in routes)
        {
            var body = method == HttpMethod.Post ? new SubmitRequest() : null;
            using var missing = await _rest.SendAsync(method, path, body);
            Assert.Contains("requires an API key", await RestClient.ErrorAsync(missing, 401, StatusCode.Unauthenticated), StringComparison.Ordinal);
            using var wrong = await _rest.SendAsync(method, path, body, apiKey: "rest-kez");
            Assert.Equal("the API key is not valid", await RestClient.ErrorAsync(wrong, 401, StatusCode.Unauthenticated));
        }

        using var keyed = await _rest.SendAsync(HttpMethod.Get, "/v1/models", apiKey: "rest-key");
        Assert.True(keyed.IsSuccessStatusCode);
        using var bearer = new HttpRequestMessage(HttpMethod.Get, "/v1/models") { Headers = { { "authorization", "Bearer rest-key" } } };
        using var withBearer = await _rest.Http.SendAsync(bearer);
        Assert.True(withBearer.IsSuccessStatusCode);
        using var openApi = await _rest.SendAsync(HttpMethod.Get, "/openapi.json");
        Assert.True(openApi.IsSuccessStatusCode, "the API's description needs no key");
    }

    [Fact]
    public async Task Over_the_rate_limit_submissions_get_429_with_Retry_After_and_share_the_bucket_with_gRPC()
    {
        for (var i = 0; i < KeyedRestStack.Burst; i++)
        {
            using var admitted = await _rest.SendAsync(HttpMethod.Post, "/v1/jobs", new SubmitRequest(), apiKey: "limited-key");
            Assert.Contains("image is empty", await RestClient.ErrorAsync(admitted, 400, StatusCode.InvalidArgument), StringComparison.Ordinal);
        }

        foreach (var path in new[] { "/v1/jobs", "/v1/explain" })
        {
            using var limited = await _rest.SendAsync(HttpMethod.Post, path, new SubmitRequest(), apiKey: "limited-key");
            var message = await RestClient.ErrorAsync(limited, 429, StatusCode.ResourceExhausted);
            var seconds = RestClient.RetryAfterSeconds(limited);
            Assert.InRange(seconds, 1, 60);
            Assert.Equal($"too many submissions from this client; retry in {seconds} s", message);
        }

        var headers = new Metadata { { "x-api-key", "limited-key" } };
        var grpc = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(new SubmitRequest(), headers, DateTime.UtcNow + ServiceStack.CallTimeout).ResponseAsync);
        Assert.Equal(StatusCode.ResourceExhausted, grpc.StatusCode);
        Assert.NotNull(grpc.Trailers.GetValue("retry-after"));
        // Reading is not limited.
        using var models = await _rest.SendAsync(HttpMethod.Get, "/v1/models", apiKey: "limited-key");
        Assert.True(models.IsSuccessStatusCode);
    }

    public void Dispose() => _rest.Dispose();
}

using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>A gateway whose clients may submit 10 at once, where a Score-CAM job counts 4 and a comparison 10.</summary>
public sealed class WeightedLimitStack() : ConfiguredStack(
    new("Auth:ApiKeys", "score-key,compare-key"),
    new("RateLimit:SubmitsPerMinute", "1"),
    new("RateLimit:Burst", "10"),
    new("RateLimit:ScoreCamCost", "4"),
    new("RateLimit:CompareCost", "10"));

/// <summary>Costly jobs count as several submissions (the rate limiter runs before validation, so empty requests do).</summary>
public sealed class WeightedRateLimitTests(WeightedLimitStack fixture) : IClassFixture<WeightedLimitStack>
{
    private readonly ServiceStack _stack = fixture.Stack;

    private async Task<StatusCode> SubmitAsync(string apiKey, ExplainOptions options)
    {
        var headers = new Metadata { { "x-api-key", apiKey } };
        var error = await Assert.ThrowsAsync<RpcException>(
            () => _stack.Client.SubmitAsync(new SubmitRequest { Options = options }, new CallOptions(headers, DateTime.UtcNow + ServiceStack.CallTimeout)).ResponseAsync);
        return error.StatusCode;
    }

    [Fact]
    public async Task A_Score_CAM_job_counts_as_four_submissions_and_says_so_when_refused()
    {
        var scoreCam = new ExplainOptions { Method = CamMethod.ScoreCam };

        Assert.Equal(StatusCode.InvalidArgument, await SubmitAsync("score-key", scoreCam));
        Assert.Equal(StatusCode.InvalidArgument, await SubmitAsync("score-key", scoreCam));
        var headers = new Metadata { { "x-api-key", "score-key" } };
        var limited = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(
            new SubmitRequest { Options = scoreCam }, new CallOptions(headers, DateTime.UtcNow + ServiceStack.CallTimeout)).ResponseAsync);

        Assert.Equal(StatusCode.ResourceExhausted, limited.StatusCode);
        Assert.Contains("too many submissions from this client (this job counts as 4: Score-CAM)", limited.Status.Detail);
        // 8 of 10 taken: two Grad-CAM jobs still fit, a third does not.
        Assert.Equal(StatusCode.InvalidArgument, await SubmitAsync("score-key", new ExplainOptions()));
        Assert.Equal(StatusCode.InvalidArgument, await SubmitAsync("score-key", new ExplainOptions()));
        Assert.Equal(StatusCode.ResourceExhausted, await SubmitAsync("score-key", new ExplainOptions()));
    }

    [Fact]
    public async Task A_comparison_counts_as_ten_submissions()
    {
        Assert.Equal(StatusCode.InvalidArgument, await SubmitAsync("compare-key", new ExplainOptions { CompareMethods = true }));

        Assert.Equal(StatusCode.ResourceExhausted, await SubmitAsync("compare-key", new ExplainOptions()));
    }
}

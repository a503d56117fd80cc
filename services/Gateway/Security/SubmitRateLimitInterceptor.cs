using System.Threading.RateLimiting;
using Grpc.Core;
using Microsoft.Extensions.Options;
using SaliencySlider.Gateway.Grpc;

namespace SaliencySlider.Gateway.Security;

/// <summary>
/// Per-client token buckets on the RPCs that queue work (Submit, Explain), each call taking as many tokens as its
/// job costs (<see cref="SubmitCost"/>), partitioned by API key
/// (its hash) when a valid one is presented, else by remote address (see <see cref="ClientIdentity"/>). A refused call gets RESOURCE_EXHAUSTED
/// with a <c>retry-after</c> trailer in seconds (ASP.NET Core's rate-limiting middleware would
/// answer a bare HTTP 429, which is not a gRPC status).
/// </summary>
public sealed class SubmitRateLimitInterceptor : CallAdmissionInterceptor, IDisposable
{
    private static readonly string[] LimitedMethods = [ContractMethods.Submit, ContractMethods.Explain];
    private readonly PartitionedRateLimiter<string>? _limiter;

    private readonly ClientIdentity _clients;
    private readonly RateLimitOptions _settings;

    public SubmitRateLimitInterceptor(IOptions<RateLimitOptions> options, ClientIdentity clients)
    {
        _clients = clients;
        var settings = _settings = options.Value;
        if (settings.SubmitsPerMinute <= 0)
        {
            return;
        }

        var bucket = new TokenBucketRateLimiterOptions
        {
            TokenLimit = settings.Burst,
            TokensPerPeriod = 1,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) / settings.SubmitsPerMinute,
            QueueLimit = 0,
            AutoReplenishment = true,
        };
        _limiter = PartitionedRateLimiter.Create<string, string>(client => RateLimitPartition.GetTokenBucketLimiter(client, _ => bucket));
    }

    public void Dispose() => _limiter?.Dispose();

    protected override void Admit(ServerCallContext context, object? request)
    {
        if (_limiter is null || !LimitedMethods.Contains(context.Method, StringComparer.Ordinal))
        {
            return;
        }

        var cost = SubmitCost.Of(request, _settings);
        using var lease = _limiter.AttemptAcquire(_clients.Of(context), cost);
        if (lease.IsAcquired)
        {
            return;
        }

        var retryAfter = lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? wait : TimeSpan.FromSeconds(1);
        throw RetryAfter.Exhausted(cost > 1
            ? $"too many submissions from this client (this job counts as {cost}: {SubmitCost.Why(request)})"
            : "too many submissions from this client", retryAfter);
    }
}

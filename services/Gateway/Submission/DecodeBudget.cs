using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;
using SaliencySlider.Gateway.Security;

namespace SaliencySlider.Gateway.Submission;

/// <summary>
/// A gateway-wide budget, in bytes, for verifying uploads by decoding them: concurrent uploads wait their turn
/// (oldest first) for up to Gateway:DecodeWait, then get RESOURCE_EXHAUSTED, instead of decoding all at once.
/// </summary>
public sealed class DecodeBudget : IDisposable
{
    /// <summary>The budget's unit; Gateway:DecodeBudgetBytes is at least one and at most int.MaxValue of them.</summary>
    public const int BytesPerPermit = 1024;
    private readonly ConcurrencyLimiter _limiter;
    private readonly int _permits;
    private readonly TimeSpan _wait;

    public DecodeBudget(IOptions<GatewayOptions> options)
    {
        _permits = (int)(options.Value.DecodeBudgetBytes / BytesPerPermit);
        _wait = options.Value.DecodeWait;
        _limiter = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _permits,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    /// <summary>Runs <paramref name="decode"/> once <paramref name="bytes"/> of the budget are free (a larger need takes all of it).</summary>
    public async Task<T> RunAsync<T>(long bytes, Func<T> decode, CancellationToken cancellationToken)
    {
        var permits = (int)Math.Clamp((bytes + BytesPerPermit - 1) / BytesPerPermit, 1, _permits);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_wait);
        RateLimitLease lease;
        try
        {
            lease = await _limiter.AcquireAsync(permits, timeout.Token);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw RetryAfter.Exhausted("the gateway is busy decoding other uploads", _wait);
        }

        using (lease)
        {
            return lease.IsAcquired ? decode() : throw RetryAfter.Exhausted("the gateway is busy decoding other uploads", _wait);
        }
    }

    public void Dispose() => _limiter.Dispose();
}

using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Queue;

/// <summary>
/// With several queue shards: one blocking XREAD per shard stream (Redis Cluster refuses a read spanning
/// slots) that wakes this worker's idle slots when a new entry arrives on any shard. A slot takes
/// <see cref="NextArrival"/> before it looks at the shards, so no entry can slip in between; a wake-up that
/// finds nothing (another worker took it) is harmless, and a slot looks again after the block time anyway.
/// With one shard the slots block on the queue themselves and this does nothing.
/// </summary>
public sealed class QueueArrivals(IConnectionMultiplexer redis, BlockingStreamReader blockingReader, JobKeys keys, ILogger<QueueArrivals> logger)
    : BackgroundService
{
    private const int BatchSize = 128;
    private readonly ChangeSignal _arrived = new();

    /// <summary>Completes when an entry is added to any shard after this call.</summary>
    public Task NextArrival() => _arrived.Next();

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => keys.Shards == 1
        ? Task.CompletedTask
        : Task.WhenAll(Enumerable.Range(0, keys.Shards).Select(shard =>
            StreamTail.FollowAsync(redis, blockingReader, keys.Queue(shard), BatchSize, _ => _arrived.Signal(), logger, stoppingToken)));
}

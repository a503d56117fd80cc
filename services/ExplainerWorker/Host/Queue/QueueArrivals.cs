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
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private readonly Lock _lock = new();
    private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>Completes when an entry is added to any shard after this call.</summary>
    public Task NextArrival()
    {
        lock (_lock)
        {
            return _arrived.Task;
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => keys.Shards == 1
        ? Task.CompletedTask
        : Task.WhenAll(Enumerable.Range(0, keys.Shards).Select(shard => WatchAsync(keys.Queue(shard), stoppingToken)));

    private async Task WatchAsync(RedisKey queue, CancellationToken stoppingToken)
    {
        RedisValue? lastId = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (lastId is null)
                {
                    var last = await redis.GetDatabase().StreamRangeAsync(queue, "-", "+", count: 1, messageOrder: Order.Descending);
                    lastId = last.Length > 0 ? last[0].Id : "0-0";
                    Signal(); // entries may have arrived while this shard was not watched
                }

                var entries = await blockingReader.ReadAsync(queue, lastId.Value, BatchSize, stoppingToken);
                if (entries.Length > 0)
                {
                    lastId = entries[^1].Id;
                    Signal();
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Could not watch the queue shard {Stream}; retrying", (string?)queue);
                lastId = null;
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private void Signal()
    {
        TaskCompletionSource signalled;
        lock (_lock)
        {
            signalled = _arrived;
            _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        signalled.TrySetResult();
    }
}

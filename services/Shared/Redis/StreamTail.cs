using Microsoft.Extensions.Logging;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Redis;

/// <summary>
/// Follows a stream from its end with one blocking read at a time until stopped, handing every batch of new
/// entries to a callback. Redis errors are logged and the read retried after a second from the last entry seen,
/// so entries added meanwhile still arrive.
/// </summary>
public static class StreamTail
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);

    public static async Task FollowAsync(
        IConnectionMultiplexer redis, BlockingStreamReader reader, RedisKey stream, int batchSize,
        Action<StreamEntry[]> onEntries, ILogger logger, CancellationToken stoppingToken)
    {
        RedisValue? lastId = null;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (lastId is null)
                {
                    var last = await redis.GetDatabase().StreamRangeAsync(stream, "-", "+", count: 1, messageOrder: Order.Descending);
                    lastId = last.Length > 0 ? last[0].Id : "0-0";
                }

                var entries = await reader.ReadAsync(stream, lastId.Value, batchSize, stoppingToken);
                if (entries.Length > 0)
                {
                    lastId = entries[^1].Id;
                    onEntries(entries);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Could not read the stream {Stream}; retrying", (string?)stream);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }
}

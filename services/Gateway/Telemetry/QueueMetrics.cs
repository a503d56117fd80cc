using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Telemetry;

/// <summary>
/// The job queue as seen in Redis, read when metrics are collected (a scrape), summed over the queue
/// shards: the streams' length, the consumer group's lag (entries no worker has taken yet: the backlog)
/// and its pending entries (taken, not yet acknowledged: jobs being computed, or lost with a worker until
/// reclaimed); consumers are those of the shard that knows most (every worker slot reads every shard).
/// Nothing is reported while Redis is unreachable or a shard cannot be read.
/// </summary>
public sealed class QueueMetrics
{
    private readonly IConnectionMultiplexer _redis;
    private readonly JobKeys _keys;
    private readonly QueueOptions _queue;

    public QueueMetrics(GatewayMetrics metrics, IConnectionMultiplexer redis, JobKeys keys, IOptions<QueueOptions> queue)
    {
        _redis = redis;
        _keys = keys;
        _queue = queue.Value;
        metrics.Meter.CreateObservableGauge("saliency.queue.length", () => Observe(ReadLength, Sum), "{entry}",
            "Entries in the job queue streams (including acknowledged ones until trimmed)");
        metrics.Meter.CreateObservableGauge("saliency.queue.lag", () => Observe((_, group) => group?.Lag, Sum), "{job}",
            "Jobs queued and not yet taken by any worker (the consumer group's lag)");
        metrics.Meter.CreateObservableGauge("saliency.queue.pending", () => Observe((_, group) => group?.PendingMessageCount, Sum), "{job}",
            "Jobs taken by a worker and not yet acknowledged");
        metrics.Meter.CreateObservableGauge("saliency.queue.consumers", () => Observe((_, group) => group?.ConsumerCount, Enumerable.Max), "{consumer}",
            "Consumers (worker slots) known to the queue's group");
    }

    private static long Sum(IEnumerable<long> values) => values.Sum();

    private long? ReadLength(RedisKey stream, StreamGroupInfo? _) => _redis.GetDatabase().StreamLength(stream);

    private IEnumerable<Measurement<long>> Observe(Func<RedisKey, StreamGroupInfo?, long?> read, Func<IEnumerable<long>, long> combine)
    {
        if (!_redis.IsConnected)
        {
            return [];
        }

        try
        {
            var values = new List<long>(_keys.Shards);
            for (var shard = 0; shard < _keys.Shards; shard++)
            {
                var stream = _keys.Queue(shard);
                var groups = _redis.GetDatabase().StreamGroupInfo(stream);
                if (read(stream, groups.Where(g => g.Name == _keys.Group).Select(g => (StreamGroupInfo?)g).FirstOrDefault()) is not { } value)
                {
                    return [];
                }

                values.Add(value);
            }

            return [new Measurement<long>(combine(values), new KeyValuePair<string, object?>("stream", _queue.Stream))];
        }
        catch (RedisException)
        {
            return []; // no stream yet, or Redis went away during the scrape
        }
    }
}

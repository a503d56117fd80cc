using System.Diagnostics.Metrics;
using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Telemetry;

/// <summary>
/// The job queue as seen in Redis, read when metrics are collected (a scrape): the stream's length,
/// the consumer group's lag (entries no worker has taken yet: the backlog) and its pending entries
/// (taken, not yet acknowledged: jobs being computed, or lost with a worker until reclaimed).
/// Nothing is reported while Redis is unreachable.
/// </summary>
public sealed class QueueMetrics
{
    private readonly IConnectionMultiplexer _redis;
    private readonly QueueOptions _queue;

    public QueueMetrics(GatewayMetrics metrics, IConnectionMultiplexer redis, IOptions<QueueOptions> queue)
    {
        _redis = redis;
        _queue = queue.Value;
        metrics.Meter.CreateObservableGauge("saliency.queue.length", () => Observe(ReadLength), "{entry}",
            "Entries in the job queue stream (including acknowledged ones until trimmed)");
        metrics.Meter.CreateObservableGauge("saliency.queue.lag", () => Observe(group => group?.Lag), "{job}",
            "Jobs queued and not yet taken by any worker (the consumer group's lag)");
        metrics.Meter.CreateObservableGauge("saliency.queue.pending", () => Observe(group => group?.PendingMessageCount), "{job}",
            "Jobs taken by a worker and not yet acknowledged");
        metrics.Meter.CreateObservableGauge("saliency.queue.consumers", () => Observe(group => group?.ConsumerCount), "{consumer}",
            "Consumers (worker slots) known to the queue's group");
    }

    private long? ReadLength(StreamGroupInfo? _) => _redis.GetDatabase().StreamLength(_queue.Stream);

    private IEnumerable<Measurement<long>> Observe(Func<StreamGroupInfo?, long?> read)
    {
        if (!_redis.IsConnected)
        {
            return [];
        }

        try
        {
            var groups = _redis.GetDatabase().StreamGroupInfo(_queue.Stream);
            var value = read(groups.Where(g => g.Name == _queue.Group).Select(g => (StreamGroupInfo?)g).FirstOrDefault());
            return value is { } v ? [new Measurement<long>(v, new KeyValuePair<string, object?>("stream", _queue.Stream))] : [];
        }
        catch (RedisException)
        {
            return []; // no stream yet, or Redis went away during the scrape
        }
    }
}

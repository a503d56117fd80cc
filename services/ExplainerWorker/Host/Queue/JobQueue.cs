using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Queue;

/// <summary>A job delivered from the queue stream.</summary>
public sealed record QueuedJob(RedisValue EntryId, string? JobId);

/// <summary>The workers' side of the queue stream and its consumer group.</summary>
public sealed class JobQueue(IConnectionMultiplexer redis, BlockingStreamReader blockingReader, JobKeys keys, IOptions<QueueOptions> queueOptions)
{
    // XCLAIM with a minimum idle time of 0 would take the entry from whoever holds it now; only
    // refresh an entry this consumer still holds. JUSTID: the delivery counter is left alone.
    private const string RefreshClaimScript = """
        local pending = redis.call('XPENDING', KEYS[1], ARGV[1], ARGV[3], ARGV[3], 1)
        if #pending == 0 or pending[1][2] ~= ARGV[2] then
          return 0
        end
        redis.call('XCLAIM', KEYS[1], ARGV[1], ARGV[2], 0, ARGV[3], 'JUSTID')
        return 1
        """;

    private const string RequeueScript = $$"""
        local entry = redis.call('XADD', KEYS[1], '*', '{{QueueFields.JobId}}', ARGV[3])
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        if redis.call('EXISTS', KEYS[2]) == 1 then
          redis.call('HSET', KEYS[2], '{{JobFields.QueueEntry}}', entry)
        end
        return entry
        """;

    // Acknowledged entries are trimmed from the head of the stream, so it holds only what is pending or
    // not yet delivered (bounded by Queue:MaxDepth). XTRIM, unlike XDEL, leaves no tombstones, so the
    // group's lag (the gateway's queue depth) stays exact.
    private const string AcknowledgeScript = """
        redis.call('XACK', KEYS[1], ARGV[1], ARGV[2])
        local oldest = redis.call('XPENDING', KEYS[1], ARGV[1])[2]
        if not oldest then
          for _, group in ipairs(redis.call('XINFO', 'GROUPS', KEYS[1])) do
            local fields = {}
            for i = 1, #group, 2 do fields[group[i]] = group[i + 1] end
            if fields['name'] == ARGV[1] then oldest = fields['last-delivered-id'] end
          end
        end
        if oldest then
          return redis.call('XTRIM', KEYS[1], 'MINID', oldest)
        end
        return 0
        """;

    private const string StreamStart = "0-0";
    private readonly QueueOptions _queue = queueOptions.Value;

    // Shared by this worker's slots: where the next scan for abandoned entries starts.
    private volatile string _reclaimCursor = StreamStart;

    public Task EnsureGroupAsync() => ConsumerGroups.EnsureAsync(redis.GetDatabase(), _queue.Stream, _queue.Group);

    /// <summary>XREADGROUP ... BLOCK: the next job for <paramref name="consumer"/>, or none after the block time.</summary>
    public async Task<QueuedJob[]> ReadNewAsync(string consumer)
    {
        var entries = await blockingReader.ReadGroupAsync(_queue.Stream, _queue.Group, consumer, count: 1);
        return entries.Select(e => new QueuedJob(e.Id, (string?)e[QueueFields.JobId])).ToArray();
    }

    /// <summary>
    /// XAUTOCLAIM: one entry delivered to some consumer that has not refreshed its claim for longer
    /// than the visibility timeout (its worker is taken for dead), now owned by <paramref name="consumer"/>.
    /// Each call examines only a few pending entries, so the scan follows the cursor Redis returns until it
    /// claims one or has been once through the whole pending list: an abandoned entry behind any number of
    /// live ones is found in one call.
    /// </summary>
    public async Task<QueuedJob[]> ReclaimAbandonedAsync(string consumer)
    {
        var database = redis.GetDatabase();
        var minIdle = (long)_queue.VisibilityTimeout.TotalMilliseconds;
        var cursor = _reclaimCursor;
        var fullPass = cursor == StreamStart;
        while (true)
        {
            var result = await database.StreamAutoClaimAsync(_queue.Stream, _queue.Group, consumer, minIdle, (RedisValue)cursor, count: 1);
            var next = result.NextStartId.IsNullOrEmpty ? StreamStart : result.NextStartId.ToString();
            _reclaimCursor = next;
            if (result.ClaimedEntries.Length > 0)
            {
                return result.ClaimedEntries.Select(e => new QueuedJob(e.Id, e.IsNull ? null : (string?)e[QueueFields.JobId])).ToArray();
            }

            if (next == StreamStart)
            {
                // The end of the pending list: done if this scan began at its start, else go round once from there.
                if (fullPass)
                {
                    return [];
                }

                fullPass = true;
            }

            cursor = next;
        }
    }

    /// <summary>Resets the entry's idle time while <paramref name="consumer"/> still holds it; false when it does not any more.</summary>
    public async Task<bool> RefreshClaimAsync(QueuedJob job, string consumer)
    {
        var refreshed = await redis.GetDatabase().ScriptEvaluateAsync(
            RefreshClaimScript, [_queue.Stream], [_queue.Group, consumer, job.EntryId]);
        return (long)refreshed == 1;
    }

    /// <summary>XACK, then trims the entries older than the oldest one still pending or undelivered.</summary>
    public Task AcknowledgeAsync(QueuedJob job)
        => redis.GetDatabase().ScriptEvaluateAsync(AcknowledgeScript, [_queue.Stream], [_queue.Group, job.EntryId]);

    /// <summary>Puts the job at the end of the queue again and acknowledges its old entry, in one script.</summary>
    public async Task RequeueAsync(QueuedJob job)
    {
        if (job.JobId is null)
        {
            await AcknowledgeAsync(job);
            return;
        }

        await redis.GetDatabase().ScriptEvaluateAsync(
            RequeueScript, [_queue.Stream, keys.Job(job.JobId)], [_queue.Group, job.EntryId, job.JobId]);
    }
}

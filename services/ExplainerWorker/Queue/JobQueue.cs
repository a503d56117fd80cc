using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Queue;

/// <summary>A job delivered from the queue stream of shard <paramref name="Shard"/>.</summary>
public sealed record QueuedJob(RedisValue EntryId, string? JobId, int Shard = 0);

/// <summary>
/// The workers' side of the queue shards' streams and their consumer group (one group name on every shard).
/// Every read and every reclaim scan starts at the next shard in turn, so a backlog on one shard cannot starve
/// the others.
/// </summary>
public sealed class JobQueue(IConnectionMultiplexer redis, BlockingStreamReader blockingReader, JobKeys keys, IOptions<QueueOptions> queueOptions, QueueArrivals? arrivals = null)
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

    // Shared by this worker's slots: where the next scan for abandoned entries starts, per shard.
    private readonly string[] _reclaimCursors = [.. Enumerable.Repeat(StreamStart, keys.Shards)];
    // Separate turns for reads and reclaim scans: one shared counter would, on two shards, send every read to the same one.
    private int _nextReadShard = -1;
    private int _nextReclaimShard = -1;

    public async Task EnsureGroupAsync()
    {
        for (var shard = 0; shard < keys.Shards; shard++)
        {
            await ConsumerGroups.EnsureAsync(redis.GetDatabase(), keys.Queue(shard), keys.Group);
        }
    }

    /// <summary>
    /// The next job for <paramref name="consumer"/>, or none after the block time. With one shard one
    /// XREADGROUP ... BLOCK; with several (a blocking read may not span cluster slots) one non-blocking
    /// XREADGROUP per shard from the next shard in turn, and when all are empty a wait for
    /// <see cref="QueueArrivals"/> to see a new entry on any of them.
    /// </summary>
    public async Task<QueuedJob[]> ReadNewAsync(string consumer, CancellationToken stoppingToken = default)
    {
        if (keys.Shards == 1)
        {
            var entries = await blockingReader.ReadGroupAsync(keys.Queue(0), keys.Group, consumer, count: 1);
            return ToJobs(entries, 0);
        }

        var arrived = (arrivals ?? throw new InvalidOperationException("a sharded queue needs QueueArrivals")).NextArrival();
        var jobs = await ReadAnyShardAsync(consumer);
        if (jobs.Length > 0 || stoppingToken.IsCancellationRequested)
        {
            return jobs;
        }

        await arrived.WaitAsync(_queue.BlockTime, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
        return stoppingToken.IsCancellationRequested ? [] : await ReadAnyShardAsync(consumer);
    }

    private async Task<QueuedJob[]> ReadAnyShardAsync(string consumer)
    {
        return await FirstFromAnyShardAsync(NextShard(ref _nextReadShard), async shard =>
            ToJobs(await redis.GetDatabase().StreamReadGroupAsync(keys.Queue(shard), keys.Group, consumer, ">", count: 1), shard));
    }

    /// <summary>
    /// The first shard's jobs, from <paramref name="first"/> on, that <paramref name="take"/> finds any on. A shard
    /// Redis cannot serve now (its primary failing over) is passed over, so the others keep being consumed; its
    /// error is thrown only when no shard had a job.
    /// </summary>
    private async Task<QueuedJob[]> FirstFromAnyShardAsync(int first, Func<int, Task<QueuedJob[]>> take)
    {
        RedisException? failure = null;
        for (var i = 0; i < keys.Shards; i++)
        {
            try
            {
                var jobs = await take((first + i) % keys.Shards);
                if (jobs.Length > 0)
                {
                    return jobs;
                }
            }
            catch (RedisException e) when (keys.Shards > 1)
            {
                failure ??= e;
            }
        }

        return failure is null ? [] : throw failure;
    }

    /// <summary>
    /// XAUTOCLAIM: one entry delivered to some consumer that has not refreshed its claim for longer
    /// than the visibility timeout (its worker is taken for dead), now owned by <paramref name="consumer"/>.
    /// Shards are scanned from the next one in turn. Each call examines only a few pending entries, so the scan
    /// of a shard follows the cursor Redis returns until it claims one or has been once through the whole pending
    /// list: an abandoned entry behind any number of live ones is found in one call.
    /// </summary>
    public async Task<QueuedJob[]> ReclaimAbandonedAsync(string consumer)
    {
        var first = keys.Shards == 1 ? 0 : NextShard(ref _nextReclaimShard);
        return await FirstFromAnyShardAsync(first, shard => ReclaimAbandonedAsync(consumer, shard));
    }

    private async Task<QueuedJob[]> ReclaimAbandonedAsync(string consumer, int shard)
    {
        var database = redis.GetDatabase();
        var minIdle = (long)_queue.VisibilityTimeout.TotalMilliseconds;
        var cursor = _reclaimCursors[shard];
        var fullPass = cursor == StreamStart;
        while (true)
        {
            var result = await database.StreamAutoClaimAsync(keys.Queue(shard), keys.Group, consumer, minIdle, (RedisValue)cursor, count: 1);
            var next = result.NextStartId.IsNullOrEmpty ? StreamStart : result.NextStartId.ToString();
            Volatile.Write(ref _reclaimCursors[shard], next);
            if (result.ClaimedEntries.Length > 0)
            {
                return ToJobs(result.ClaimedEntries, shard);
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
            RefreshClaimScript, [keys.Queue(job.Shard)], [keys.Group, consumer, job.EntryId]);
        return (long)refreshed == 1;
    }

    /// <summary>XACK, then trims the entries older than the oldest one still pending or undelivered.</summary>
    public Task AcknowledgeAsync(QueuedJob job)
        => redis.GetDatabase().ScriptEvaluateAsync(AcknowledgeScript, [keys.Queue(job.Shard)], [keys.Group, job.EntryId]);

    /// <summary>Puts the job at the end of its shard's queue again and acknowledges its old entry, in one script.</summary>
    public async Task RequeueAsync(QueuedJob job)
    {
        if (job.JobId is null)
        {
            await AcknowledgeAsync(job);
            return;
        }

        await redis.GetDatabase().ScriptEvaluateAsync(
            RequeueScript, [keys.Queue(job.Shard), keys.Job(job.JobId)], [keys.Group, job.EntryId, job.JobId]);
    }

    private int NextShard(ref int turn) => (int)((uint)Interlocked.Increment(ref turn) % (uint)keys.Shards);

    // XAUTOCLAIM reports an entry deleted while pending with nil fields: no job id.
    private static QueuedJob[] ToJobs(StreamEntry[] entries, int shard)
        => [.. entries.Select(e => new QueuedJob(e.Id, e.IsNull ? null : (string?)e[QueueFields.JobId], shard))];
}

using System.Globalization;
using Google.Protobuf;
using Microsoft.Extensions.Options;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Gateway.Submission;
using SaliencySlider.Gateway.Telemetry;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Telemetry;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

public sealed record EnqueueResult(string JobId, JobState State, bool Cached, long QueuePosition);

/// <summary>
/// The job's queue shard already holds its share of <c>Queue:MaxDepth</c> jobs or more: a new job is refused
/// (existing ones are still answered).
/// </summary>
public sealed class QueueFullException(long depth, long limit, int shards)
    : Exception(shards == 1
        ? $"the job queue is full ({depth} jobs waiting or running; the limit is {limit})"
        : $"the job queue is full (the job's shard holds {depth} jobs waiting or running; the limit is {limit} per shard, {shards} shards)");

/// <summary>
/// Creates a job and queues it in one Lua script, so that identical submissions racing each other
/// produce one job: the job record, the image, the first (QUEUED) event and the queue entry are
/// written together, unless a job with this id exists and has not failed. A failed job, or a done one
/// whose frames expired, is reset and queued again. A new job is refused while its shard's queue (waiting plus running
/// entries, counted inside the script) is at its share of the depth limit. The script touches the job's keys and its
/// shard's queue and activity streams, which share one hash tag (<see cref="JobKeys"/>): one Redis Cluster slot.
/// With <c>Redis:ReplicaAcks</c> the answer waits until that many replicas have the job (<see cref="ReplicaAcknowledgement"/>).
/// </summary>
public sealed class JobEnqueuer(
    IConnectionMultiplexer redis, JobKeys keys, JobIdFactory ids, ReplicaAcknowledgement replicas, IOptions<QueueOptions> queue, IOptions<JobOptions> jobs, GatewayMetrics metrics)
{
    private const string QueueFullReply = "QUEUE_FULL:";

    // The shebang (Redis 7) makes Redis refuse the whole script with OOM when it is over maxmemory, before
    // any write; a script without one is checked per command and, once it has deleted a key, may grow without bound.
    private static readonly LuaScript EnqueueScript = LuaScript.Prepare($$"""
        #!lua
        local state = redis.call('HGET', @jobKey, '{{JobFields.State}}')
        if state and state ~= '{{JobStateNames.Failed}}' then
          if state ~= '{{JobStateNames.Done}}' or redis.call('EXISTS', @eventsKey) == 1 then
            return state
          end
          -- Done, but its frames expired (Jobs:FrameTtl): compute them again.
        end
        if tonumber(@maxDepth) > 0 then
          -- Counted here, inside the script, so that concurrent submissions cannot all pass the limit.
          local depth = 0
          if redis.call('EXISTS', @queueKey) == 1 then
            for _, group in ipairs(redis.call('XINFO', 'GROUPS', @queueKey)) do
              local fields = {}
              for i = 1, #group, 2 do fields[group[i]] = group[i + 1] end
              if fields['name'] == @group then
                -- Without a lag (entries deleted mid-stream) the stream's length bounds waiting plus running.
                depth = fields['lag'] and (fields['pending'] + fields['lag']) or redis.call('XLEN', @queueKey)
              end
            end
          end
          if depth >= tonumber(@maxDepth) then
            return '{{QueueFullReply}}' .. depth
          end
        end
        redis.call('DEL', @jobKey, @eventsKey)
        redis.call('SET', @imageKey, @image, 'PX', @frameTtlMs)
        local entry = redis.call('XADD', @queueKey, '*', '{{QueueFields.JobId}}', @jobId)
        redis.call('HSET', @jobKey,
          '{{JobFields.State}}', '{{JobStateNames.Queued}}',
          '{{JobFields.Model}}', @model,
          '{{JobFields.Options}}', @options,
          '{{JobFields.FrameCount}}', @frameCount,
          '{{JobFields.FramesReady}}', 0,
          '{{JobFields.Attempts}}', 0,
          '{{JobFields.Error}}', '',
          '{{JobFields.CreatedAt}}', @createdAt,
          '{{JobFields.QueueEntry}}', entry,
          '{{JobFields.TraceParent}}', @traceParent)
        redis.call('PEXPIRE', @jobKey, @ttlMs)
        redis.call('XADD', @eventsKey, '*', '{{JobEventCodec.EventField}}', @queuedEvent, '{{JobEventCodec.AttemptField}}', 0)
        redis.call('PEXPIRE', @eventsKey, @frameTtlMs)
        redis.call('XADD', @activityKey, 'MAXLEN', '~', {{ActivityFields.MaxLength}}, '*', '{{ActivityFields.JobId}}', @jobId)
        return false
        """);

    private readonly QueueOptions _queue = queue.Value;
    private readonly JobOptions _jobs = jobs.Value;

    public async Task<EnqueueResult> EnqueueAsync(ValidatedSubmission submission)
    {
        var jobId = ids.Create(submission.Image.Span, submission.Model, submission.Options);
        var database = redis.GetDatabase();
        var shard = keys.ShardOf(jobId);
        var position = await QueuePositionAsync(database);
        var queuedEvent = JobEventCodec.Status(jobId, JobState.Queued, queuePosition: position);
        var existingState = await database.ScriptEvaluateAsync(EnqueueScript, new
        {
            jobKey = keys.Job(jobId),
            imageKey = keys.Image(jobId),
            eventsKey = keys.Events(jobId),
            queueKey = keys.Queue(shard),
            activityKey = keys.Activity(shard),
            jobId,
            image = (RedisValue)submission.Image,
            model = submission.Model,
            options = (RedisValue)submission.Options.ToByteArray(),
            frameCount = submission.Options.FrameCount,
            createdAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ttlMs = (long)_jobs.Ttl.TotalMilliseconds,
            frameTtlMs = (long)_jobs.FrameTtl.TotalMilliseconds,
            queuedEvent = (RedisValue)queuedEvent.ToByteArray(),
            traceParent = TraceContext.CurrentTraceParent(),
            group = keys.Group,
            maxDepth = _queue.MaxDepthPerShard,
        });

        if ((string?)existingState is { } reply && reply.StartsWith(QueueFullReply, StringComparison.Ordinal))
        {
            throw new QueueFullException(long.Parse(reply[QueueFullReply.Length..], CultureInfo.InvariantCulture), _queue.MaxDepthPerShard, keys.Shards);
        }

        await replicas.WaitAsync(keys.Job(jobId));
        metrics.Submitted(cached: !existingState.IsNull);
        return existingState.IsNull
            ? new EnqueueResult(jobId, JobState.Queued, Cached: false, position)
            : new EnqueueResult(jobId, JobStateNames.Parse((string?)existingState), Cached: true, 0);
    }

    /// <summary>
    /// Queue entries not yet handed to any worker (the groups' lag summed over the shards, which workers
    /// consume alike): the jobs ahead of a job queued now, for its QUEUED event; a shard whose lag Redis
    /// cannot tell (e.g. after entries were deleted from the middle of the stream) counts 0.
    /// </summary>
    private async Task<long> QueuePositionAsync(IDatabase database)
    {
        var position = 0L;
        for (var shard = 0; shard < keys.Shards; shard++)
        {
            try
            {
                var group = (await database.StreamGroupInfoAsync(keys.Queue(shard))).FirstOrDefault(g => g.Name == keys.Group);
                position += group.Lag ?? 0;
            }
            catch (RedisServerException)
            {
                // no stream yet: nothing ahead on this shard
            }
        }

        return position;
    }
}

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

/// <summary>The queue already holds <c>Queue:MaxDepth</c> jobs or more: a new job is refused (existing ones are still answered).</summary>
public sealed class QueueFullException(long depth, long limit)
    : Exception($"the job queue is full ({depth} jobs waiting or running; the limit is {limit})")
{
    public long Depth { get; } = depth;
    public long Limit { get; } = limit;
}

/// <summary>
/// Creates a job and queues it in one Lua script, so that identical submissions racing each other
/// produce one job: the job record, the image, the first (QUEUED) event and the queue entry are
/// written together, unless a job with this id exists and has not failed. A failed job is reset and
/// queued again. A new job is refused while the queue is at its depth limit. The script spans the job's slot and the queue stream, so the deployment uses one
/// Redis primary (not Redis Cluster).
/// </summary>
public sealed class JobEnqueuer(IConnectionMultiplexer redis, JobKeys keys, JobIdFactory ids, IOptions<QueueOptions> queue, IOptions<JobOptions> jobs, GatewayMetrics metrics)
{
    private const string QueueFullReply = "QUEUE_FULL";

    private static readonly LuaScript EnqueueScript = LuaScript.Prepare($$"""
        local state = redis.call('HGET', @jobKey, '{{JobFields.State}}')
        if state and state ~= '{{JobStateNames.Failed}}' then
          return state
        end
        if tonumber(@maxDepth) > 0 and tonumber(@depth) >= tonumber(@maxDepth) then
          return '{{QueueFullReply}}'
        end
        redis.call('DEL', @jobKey, @eventsKey)
        redis.call('SET', @imageKey, @image, 'PX', @ttlMs)
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
        redis.call('PEXPIRE', @eventsKey, @ttlMs)
        return false
        """);

    private readonly QueueOptions _queue = queue.Value;
    private readonly JobOptions _jobs = jobs.Value;

    public async Task<EnqueueResult> EnqueueAsync(ValidatedSubmission submission)
    {
        var jobId = ids.Create(submission.Image.Span, submission.Model, submission.Options);
        var database = redis.GetDatabase();
        var (position, running) = await QueueDepthAsync(database);
        var queuedEvent = JobEventCodec.Status(jobId, JobState.Queued, queuePosition: position);
        var existingState = await database.ScriptEvaluateAsync(EnqueueScript, new
        {
            jobKey = keys.Job(jobId),
            imageKey = keys.Image(jobId),
            eventsKey = keys.Events(jobId),
            queueKey = (RedisKey)_queue.Stream,
            jobId,
            image = (RedisValue)submission.Image,
            model = submission.Model,
            options = (RedisValue)submission.Options.ToByteArray(),
            frameCount = submission.Options.FrameCount,
            createdAt = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds(),
            ttlMs = (long)_jobs.Ttl.TotalMilliseconds,
            queuedEvent = (RedisValue)queuedEvent.ToByteArray(),
            traceParent = TraceContext.CurrentTraceParent(),
            depth = position + running,
            maxDepth = _queue.MaxDepth,
        });

        if ((string?)existingState == QueueFullReply)
        {
            throw new QueueFullException(position + running, _queue.MaxDepth);
        }

        metrics.Submitted(cached: !existingState.IsNull);
        return existingState.IsNull
            ? new EnqueueResult(jobId, JobState.Queued, Cached: false, position)
            : new EnqueueResult(jobId, JobStateNames.Parse((string?)existingState), Cached: true, 0);
    }

    /// <summary>
    /// Waiting: queue entries not yet handed to any worker (the group's lag), the jobs ahead of a job
    /// queued now; unknown (0) when Redis cannot tell, e.g. after entries were deleted from the middle
    /// of the stream. Running: entries handed to a worker and not yet acknowledged.
    /// </summary>
    private async Task<(long Waiting, long Running)> QueueDepthAsync(IDatabase database)
    {
        try
        {
            var group = (await database.StreamGroupInfoAsync(_queue.Stream)).FirstOrDefault(g => g.Name == _queue.Group);
            return (group.Lag ?? 0, group.PendingMessageCount);
        }
        catch (RedisServerException)
        {
            return (0, 0); // no stream yet: nothing ahead
        }
    }
}

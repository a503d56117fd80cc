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
    private readonly QueueOptions _queue = queueOptions.Value;

    public Task EnsureGroupAsync() => ConsumerGroups.EnsureAsync(redis.GetDatabase(), _queue.Stream, _queue.Group);

    /// <summary>XREADGROUP ... BLOCK: the next job for <paramref name="consumer"/>, or none after the block time.</summary>
    public async Task<QueuedJob[]> ReadNewAsync(string consumer)
    {
        var entries = await blockingReader.ReadGroupAsync(_queue.Stream, _queue.Group, consumer, count: 1);
        return entries.Select(e => new QueuedJob(e.Id, (string?)e[QueueFields.JobId])).ToArray();
    }

    public Task AcknowledgeAsync(QueuedJob job) => redis.GetDatabase().StreamAcknowledgeAsync(_queue.Stream, _queue.Group, job.EntryId);

    /// <summary>Puts the job at the end of the queue again and acknowledges its old entry, in one transaction.</summary>
    public async Task RequeueAsync(QueuedJob job)
    {
        if (job.JobId is null)
        {
            await AcknowledgeAsync(job);
            return;
        }

        var transaction = redis.GetDatabase().CreateTransaction();
        var added = transaction.StreamAddAsync(_queue.Stream, QueueFields.JobId, job.JobId);
        var acknowledged = transaction.StreamAcknowledgeAsync(_queue.Stream, _queue.Group, job.EntryId);
        await transaction.ExecuteAsync();
        var newEntry = await added;
        await acknowledged;
        await redis.GetDatabase().HashSetAsync(keys.Job(job.JobId), JobFields.QueueEntry, newEntry, When.Exists);
    }
}

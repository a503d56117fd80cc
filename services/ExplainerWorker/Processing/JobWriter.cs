using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Processing;

/// <summary>
/// This attempt no longer owns the job: another worker claimed it (ours was taken for dead) or the
/// job expired. Whatever this attempt still computes must be thrown away.
/// </summary>
public sealed class AttemptSupersededException(string jobId, int attempt)
    : Exception($"job {jobId}: attempt {attempt} no longer owns the job");

/// <summary>
/// Writes one attempt of one job. Each write is one Lua script that first checks the job record's
/// lease is still this attempt's token (a fence: a stale attempt whose job was reclaimed cannot add
/// anything), then appends the event (and its note on the shard's activity stream), applies the record change it implies and renews every key's TTL (the record's, and the shorter one of the events and image).
/// </summary>
public sealed class JobWriter(IDatabase database, JobKeys keys, string jobId, int attempt, string lease, TimeSpan ttl, TimeSpan frameTtl)
{
    // Declared with a shebang so that a Redis over maxmemory refuses the write whole (OOM): the job stays pending
    // and is reclaimed as a new attempt once memory is free.
    private static readonly string FencedWriteScript = $$"""
        #!lua
        if redis.call('HGET', KEYS[1], '{{JobFields.Lease}}') ~= ARGV[1] then
          return 0
        end
        if ARGV[3] ~= '' then
          redis.call('XADD', KEYS[2], '*', '{{JobEventCodec.EventField}}', ARGV[3], '{{JobEventCodec.AttemptField}}', ARGV[4])
          redis.call('XADD', KEYS[5], 'MAXLEN', '~', {{ActivityFields.MaxLength}}, '*', '{{ActivityFields.JobId}}', ARGV[8])
        end
        if ARGV[5] ~= '' then
          redis.call('HINCRBY', KEYS[1], ARGV[5], 1)
        end
        if ARGV[6] ~= '' then
          redis.call('XADD', KEYS[4], '*', '{{DeadLetterFields.JobId}}', ARGV[6], '{{DeadLetterFields.Attempts}}', ARGV[4], '{{DeadLetterFields.Error}}', ARGV[7])
        end
        if #ARGV > 9 then
          redis.call('HSET', KEYS[1], unpack(ARGV, 10))
        end
        redis.call('PEXPIRE', KEYS[1], ARGV[2])
        redis.call('PEXPIRE', KEYS[2], ARGV[9])
        redis.call('PEXPIRE', KEYS[3], ARGV[9])
        return 1
        """;

    public int Attempt => attempt;

    public Task MarkRunningAsync(DateTimeOffset startedAt, string message) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Running, attempt, message: message),
        [
            new(JobFields.State, JobStateNames.Running),
            new(JobFields.StartedAt, startedAt.ToUnixTimeMilliseconds()),
            new(JobFields.FramesReady, 0),
        ]);

    public Task WriteExplanationAsync(Explanation explanation) => WriteAsync(
        new JobEvent { Explanation = explanation },
        [
            new(JobFields.Prediction, explanation.Prediction.ToByteArray()),
            new(JobFields.FrameCount, explanation.FrameCount),
        ]);

    public Task WriteProgressAsync(Progress progress) => WriteAsync(new JobEvent { Progress = progress }, []);

    public Task WriteFrameAsync(Frame frame) => WriteAsync(new JobEvent { Frame = frame }, [], increment: JobFields.FramesReady);

    /// <summary>One method of a comparison: the record's prediction and frame count say how far it is (methods done of all).</summary>
    public Task WriteMethodResultAsync(MethodResult result) => WriteAsync(
        new JobEvent { MethodResult = result },
        [
            new(JobFields.Prediction, result.Prediction.ToByteArray()),
            new(JobFields.FrameCount, result.MethodCount),
        ],
        increment: JobFields.FramesReady);

    public Task CompleteAsync(Completed completed, DateTimeOffset finishedAt) => WriteAsync(
        new JobEvent { Completed = completed },
        [
            new(JobFields.State, JobStateNames.Done),
            new(JobFields.Error, ""),
            new(JobFields.Timings, completed.Timings.ToByteArray()),
            new(JobFields.FinishedAt, finishedAt.ToUnixTimeMilliseconds()),
        ]);

    /// <summary>FAILED with <paramref name="reason"/>; with <paramref name="deadLetter"/> also an entry in the dead-letter stream.</summary>
    public Task FailAsync(string reason, DateTimeOffset finishedAt, bool deadLetter = false) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Failed, attempt, message: reason),
        [
            new(JobFields.State, JobStateNames.Failed),
            new(JobFields.Error, reason),
            new(JobFields.FinishedAt, finishedAt.ToUnixTimeMilliseconds()),
        ],
        deadLetterReason: deadLetter ? reason : null);

    /// <summary>This attempt failed in a way another attempt may not: the job is QUEUED again and its events say why.</summary>
    public Task RetryLaterAsync(string reason, int maxAttempts) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Queued, attempt, message: $"attempt {attempt} of {maxAttempts} failed ({reason}); queued again"),
        [
            new(JobFields.State, JobStateNames.Queued),
            new(JobFields.Error, reason),
        ]);

    /// <summary>The job goes back to QUEUED (a worker stopped before finishing it); its events say so. Not counted as a failure.</summary>
    public Task HandBackAsync(string reason) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Queued, attempt, message: reason),
        [new(JobFields.State, JobStateNames.Queued)],
        increment: JobFields.HandedBack);

    private async Task WriteAsync(JobEvent jobEvent, HashEntry[] recordChanges, string increment = "", string? deadLetterReason = null)
    {
        var arguments = new List<RedisValue>(9 + (2 * recordChanges.Length))
        {
            lease,
            (long)ttl.TotalMilliseconds,
            jobEvent.ToByteArray(),
            attempt,
            increment,
            deadLetterReason is null ? "" : jobId,
            deadLetterReason ?? "",
            jobId,
            (long)frameTtl.TotalMilliseconds,
        };
        foreach (var change in recordChanges)
        {
            arguments.Add(change.Name);
            arguments.Add(change.Value);
        }

        var written = await database.ScriptEvaluateAsync(
            FencedWriteScript,
            [keys.Job(jobId), keys.Events(jobId), keys.Image(jobId), keys.DeadLetter(keys.ShardOf(jobId)), keys.Activity(keys.ShardOf(jobId))],
            [.. arguments]);
        if ((long)written != 1)
        {
            throw new AttemptSupersededException(jobId, attempt);
        }
    }
}

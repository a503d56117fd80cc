using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Processing;

public enum AttemptDecision
{
    /// <summary>Run the job as attempt <see cref="AttemptStart.Attempt"/>.</summary>
    Run,

    /// <summary>The job's keys expired: nothing to do.</summary>
    Expired,

    /// <summary>The job is already DONE or FAILED (a repeated delivery).</summary>
    Finished,

    /// <summary>The job failed <c>Queue:MaxAttempts</c> times: give up on it (FAILED, dead-letter stream).</summary>
    Exhausted,
}

/// <param name="Attempt">The attempt this worker runs; for Exhausted, the attempts made.</param>
/// <param name="Failures">Earlier attempts that failed (not counting hand-backs at shutdown).</param>
/// <param name="LastError">The error the previous attempt left, if any.</param>
public readonly record struct AttemptStart(AttemptDecision Decision, int Attempt, int Failures, string LastError);

/// <summary>
/// Takes ownership of a delivered job in one script: unless the job is gone or finished, the job
/// record's lease becomes this attempt's token (so any older attempt's writes are refused from now
/// on), and attempts is incremented unless the failed attempts already reached the limit.
/// </summary>
public sealed class AttemptStarter(IConnectionMultiplexer redis, JobKeys keys)
{
    public const string AbandonedError = "its worker stopped responding (crashed, was killed or lost Redis) before finishing";

    // Shebang: over maxmemory Redis refuses the script whole, and the entry waits for another delivery.
    private const string StartScript = $$"""
        #!lua
        local record = redis.call('HMGET', KEYS[1], '{{JobFields.State}}', '{{JobFields.Attempts}}', '{{JobFields.HandedBack}}', '{{JobFields.Error}}')
        local state = record[1]
        if not state then
          return {'expired', 0, 0, ''}
        end
        if state == '{{JobStateNames.Done}}' or state == '{{JobStateNames.Failed}}' then
          return {'finished', 0, 0, ''}
        end
        local attempts = tonumber(record[2] or '0') or 0
        local failures = attempts - (tonumber(record[3] or '0') or 0)
        local lastError = record[4] or ''
        if state == '{{JobStateNames.Running}}' then
          -- The attempt that marked it RUNNING never finished nor handed it back: its worker is gone.
          lastError = 'attempt ' .. attempts .. ': ' .. ARGV[3]
          redis.call('HSET', KEYS[1], '{{JobFields.Error}}', lastError)
        end
        redis.call('HSET', KEYS[1], '{{JobFields.Lease}}', ARGV[1])
        if failures >= tonumber(ARGV[2]) then
          return {'exhausted', attempts, failures, lastError}
        end
        attempts = redis.call('HINCRBY', KEYS[1], '{{JobFields.Attempts}}', 1)
        return {'run', attempts, failures, lastError}
        """;

    public async Task<AttemptStart> StartAsync(string jobId, string lease, int maxAttempts)
    {
        var reply = (RedisResult[])(await redis.GetDatabase().ScriptEvaluateAsync(
            StartScript, [keys.Job(jobId)], [lease, maxAttempts, AbandonedError]))!;
        var decision = (string?)reply[0] switch
        {
            "run" => AttemptDecision.Run,
            "expired" => AttemptDecision.Expired,
            "finished" => AttemptDecision.Finished,
            _ => AttemptDecision.Exhausted,
        };
        return new AttemptStart(decision, (int)reply[1], (int)reply[2], (string?)reply[3] ?? "");
    }
}

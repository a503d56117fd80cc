using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using Microsoft.Extensions.Options;
using SaliencySlider.Shared.Configuration;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>
/// A job's events from the first one: what is stored is replayed, then new ones are read as the
/// activity watcher signals them (no blocking connection per follower), until the terminal event
/// (Completed or a FAILED status). Reads are bounded in bytes as well as in count: a job's options
/// say how large its frames can be. Events of attempts superseded by a later one (their worker died)
/// are left out: a client replaying the job sees one attempt, and a client following live sees the
/// new attempt's RUNNING status, after which the frames start over. A failed job submitted again is a
/// new generation of its events (from attempt 0 again), which a follower of the old one also follows.
/// </summary>
public sealed class JobEventFollower(IConnectionMultiplexer redis, JobKeys keys, JobActivityWatcher watcher, IOptions<QueueOptions> queueOptions, IOptions<JobOptions> jobOptions)
{
    private int _active;

    /// <summary>Streams being followed now.</summary>
    public int ActiveFollowers => Volatile.Read(ref _active);

    public async IAsyncEnumerable<JobEvent> FollowAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _active);
        try
        {
            await foreach (var jobEvent in FollowCurrentAttemptAsync(jobId, cancellationToken))
            {
                yield return jobEvent;
            }
        }
        finally
        {
            Interlocked.Decrement(ref _active);
        }
    }

    private async IAsyncEnumerable<JobEvent> FollowCurrentAttemptAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var watch = watcher.Follow(jobId);
        var eventsKey = keys.Events(jobId);
        var database = redis.GetDatabase();
        var record = await database.HashGetAsync(keys.Job(jobId), [JobFields.Attempts, JobFields.Options, JobFields.State]);
        var currentAttempt = (int?)record[0] ?? 0;
        var reads = EventReadSize.For(OptionsOf(record[1]));
        if ((string?)record[2] is JobStateNames.Done or JobStateNames.Failed && !await database.KeyExistsAsync(eventsKey))
        {
            throw new RpcException(new Status(StatusCode.NotFound,
                $"the frames of job {jobId} expired (they are kept for {jobOptions.Value.FrameTtl} after the job's last event); " +
                "submit the same image and options again to compute them again"));
        }

        RedisValue lastId = "0-0";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var changed = watch.NextChange();
            var entries = await database.StreamRangeAsync(eventsKey, minId: "(" + lastId, count: reads.Count);
            if (entries.Length == 0)
            {
                // Quiet for a while: look again anyway (a missed signal costs at most this wait), unless the job expired.
                if (!await WaitAsync(changed, queueOptions.Value.BlockTime, cancellationToken) && !await database.KeyExistsAsync(keys.Job(jobId)))
                {
                    throw new RpcException(new Status(StatusCode.NotFound, $"job {jobId} expired while being streamed"));
                }

                continue;
            }

            foreach (var entry in entries)
            {
                lastId = entry.Id;
                reads.Observe(entry);
                var (jobEvent, attempt) = JobEventCodec.Decode(entry);
                if (attempt == 0 && jobEvent.Status is { State: JobState.Queued })
                {
                    // The first event of a job's generation: a failed job submitted again starts over at attempt 0,
                    // so the attempt read before (the old generation's) no longer applies.
                    currentAttempt = (int?)await database.HashGetAsync(keys.Job(jobId), JobFields.Attempts) ?? 0;
                }
                else if (jobEvent.Status is { State: JobState.Running })
                {
                    currentAttempt = Math.Max(currentAttempt, attempt);
                }

                if (attempt > 0 && attempt < currentAttempt)
                {
                    continue; // written by an attempt that a later one replaced
                }

                yield return jobEvent;
                if (JobEventCodec.IsTerminal(jobEvent))
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>True when <paramref name="signal"/> completed within <paramref name="timeout"/>.</summary>
    private static async Task<bool> WaitAsync(Task signal, TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(timeout, cancellationToken);
            return true;
        }
        catch (TimeoutException)
        {
            return false;
        }
    }

    /// <summary>The job's stored options; null when missing or unreadable (the worker fails such a job with the reason).</summary>
    private static ExplainOptions? OptionsOf(RedisValue stored)
    {
        try
        {
            return stored.IsNull ? null : ExplainOptions.Parser.ParseFrom((byte[])stored!);
        }
        catch (InvalidProtocolBufferException)
        {
            return null;
        }
    }
}

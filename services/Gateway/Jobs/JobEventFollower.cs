using System.Runtime.CompilerServices;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>
/// A job's events from the first one: what is stored is replayed (XRANGE on the shared connection),
/// then new events are awaited with XREAD BLOCK on a dedicated connection, until the terminal event
/// (Completed or a FAILED status). Events of attempts superseded by a later one (their worker died)
/// are left out: a client replaying the job sees one attempt, and a client following live sees the
/// new attempt's RUNNING status, after which the frames start over. A failed job submitted again is a
/// new generation of its events (from attempt 0 again), which a follower of the old one also follows.
/// </summary>
public sealed class JobEventFollower(IConnectionMultiplexer redis, JobKeys keys, BlockingStreamReader blockingReader)
{
    private const int BatchSize = 64;
    private int _active;

    /// <summary>Streams being followed now (each holds at most one blocking read).</summary>
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
        var eventsKey = keys.Events(jobId);
        var database = redis.GetDatabase();
        var currentAttempt = (int?)await database.HashGetAsync(keys.Job(jobId), JobFields.Attempts) ?? 0;
        RedisValue lastId = "0-0";
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var entries = await database.StreamRangeAsync(eventsKey, minId: "(" + lastId, count: BatchSize);
            if (entries.Length == 0)
            {
                entries = await blockingReader.ReadAsync(eventsKey, lastId, BatchSize, cancellationToken);
                if (entries.Length == 0 && !await database.KeyExistsAsync(keys.Job(jobId)))
                {
                    throw new RpcException(new Status(StatusCode.NotFound, $"job {jobId} expired while being streamed"));
                }
            }

            foreach (var entry in entries)
            {
                lastId = entry.Id;
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
}

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
/// (Completed or a FAILED status).
/// </summary>
public sealed class JobEventFollower(IConnectionMultiplexer redis, JobKeys keys, BlockingStreamReader blockingReader)
{
    private const int BatchSize = 64;

    public async IAsyncEnumerable<FrameEvent> FollowAsync(string jobId, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        var eventsKey = keys.Events(jobId);
        var database = redis.GetDatabase();
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
                var (frameEvent, _) = JobEventCodec.Decode(entry);
                yield return frameEvent;
                if (JobEventCodec.IsTerminal(frameEvent))
                {
                    yield break;
                }
            }
        }
    }
}

using System.Collections.Concurrent;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>
/// Wakes the followers of jobs that got a new event. Every event write also appends the job id to its
/// shard's activity stream; one loop per shard follows that stream with a single blocking read, however many jobs
/// the gateway's clients follow, and signals the followers of each job it names. (One read per shard because
/// Redis Cluster refuses a read over keys of several slots.) A follower takes
/// <see cref="Watch.NextChange"/> before it reads the job's events, so no event can slip in between;
/// a wake-up that finds nothing new is harmless.
/// </summary>
public sealed class JobActivityWatcher(IConnectionMultiplexer redis, BlockingStreamReader blockingReader, JobKeys keys, ILogger<JobActivityWatcher> logger)
    : BackgroundService
{
    private const int BatchSize = 512;
    private readonly ConcurrentDictionary<string, Watch> _watches = new(StringComparer.Ordinal);

    /// <summary>Starts watching <paramref name="jobId"/> for one follower; dispose it when the follower ends.</summary>
    public Watch Follow(string jobId)
    {
        while (true)
        {
            var watch = _watches.GetOrAdd(jobId, id => new Watch(this, id));
            if (watch.TryJoin())
            {
                return watch;
            }
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
        => Task.WhenAll(Enumerable.Range(0, keys.Shards).Select(shard =>
            StreamTail.FollowAsync(redis, blockingReader, keys.Activity(shard), BatchSize, WakeFollowers, logger, stoppingToken)));

    // Followers also wake on their own timeout and look for themselves while the stream cannot be read.
    private void WakeFollowers(StreamEntry[] entries)
    {
        foreach (var entry in entries)
        {
            if (_watches.TryGetValue((string?)entry[ActivityFields.JobId] ?? "", out var watch))
            {
                watch.Signal();
            }
        }
    }

    /// <summary>One job's followers: a task that completes at the job's next event after it was taken.</summary>
    public sealed class Watch : IDisposable
    {
        private readonly JobActivityWatcher _owner;
        private readonly string _jobId;
        private readonly Lock _lock = new();
        private readonly ChangeSignal _changed = new();
        private int _followers;
        private bool _disposed;

        internal Watch(JobActivityWatcher owner, string jobId)
        {
            _owner = owner;
            _jobId = jobId;
        }

        /// <summary>Completes when an event is written to the job after this call.</summary>
        public Task NextChange() => _changed.Next();

        internal bool TryJoin()
        {
            lock (_lock)
            {
                if (_disposed)
                {
                    return false; // the last follower just left and removed it: make a new one
                }

                _followers++;
                return true;
            }
        }

        internal void Signal() => _changed.Signal();

        public void Dispose()
        {
            lock (_lock)
            {
                if (--_followers > 0)
                {
                    return;
                }

                _disposed = true;
            }

            _owner._watches.TryRemove(new KeyValuePair<string, Watch>(_jobId, this));
        }
    }
}

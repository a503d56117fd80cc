using System.Globalization;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Redis;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Jobs;

/// <summary>
/// The Redis layout: every key, stream and consumer group name the services use (documented in
/// services/Shared/README.md, "Redis layout"), sharded by job id (<see cref="QueueOptions.Shards"/>). Every script touches one
/// job together with its shard's queue, activity and dead-letter streams, so with more than one shard all
/// of a shard's keys carry the shard's hash tag: each script stays in one Redis Cluster slot, and the
/// shards spread over the primaries. With one shard the keys are those of the unsharded layout (a job's
/// keys tagged <c>{jobId}</c>), which a single Redis primary serves.
/// </summary>
public sealed class JobKeys
{
    /// <summary>Redis:KeyPrefix by default.</summary>
    public const string DefaultPrefix = "saliency";

    /// <summary>Queue:Stream by default (deploy/k8s and the KEDA ScaledObjects name it too; tests/Deploy.Tests checks them).</summary>
    public const string DefaultQueueStream = DefaultPrefix + ":jobs";

    /// <summary>Queue:DeadLetterStream by default.</summary>
    public const string DefaultDeadLetterStream = DefaultQueueStream + ":dead";

    /// <summary>Queue:Group by default: the workers' consumer group on every queue stream.</summary>
    public const string DefaultGroup = "workers";

    private readonly string _queueStream;
    private readonly string _deadLetterStream;
    private readonly string[] _tags;

    public JobKeys(string prefix, QueueOptions? queue = null)
    {
        queue ??= new QueueOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(queue.Shards, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(queue.Shards, QueueOptions.MaxShards);
        Prefix = prefix;
        _queueStream = queue.Stream;
        _deadLetterStream = queue.DeadLetterStream;
        Group = queue.Group;
        _tags = [.. Enumerable.Range(0, queue.Shards).Select(shard => ShardTag(shard, queue.Shards))];
    }

    public string Prefix { get; }

    /// <summary>The consumer group on every shard's <see cref="Queue"/> stream, read by the workers.</summary>
    public string Group { get; }

    /// <summary>Number of queue shards; a job belongs to <see cref="ShardOf"/>.</summary>
    public int Shards => _tags.Length;

    /// <summary>The shard of a job: its id (uniform hex digits of an HMAC) modulo the shard count.</summary>
    public int ShardOf(string jobId)
    {
        if (Shards == 1)
        {
            return 0;
        }

        var head = jobId.Length >= 8 && uint.TryParse(jobId.AsSpan(0, 8), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var value)
            ? value
            : (uint)StringComparer.Ordinal.GetHashCode(jobId);
        return (int)(head % (uint)Shards);
    }

    /// <summary>Hash: the job record (fields in <see cref="JobFields"/>).</summary>
    public RedisKey Job(string jobId) => JobKey(jobId, "job");

    /// <summary>String: the uploaded image bytes.</summary>
    public RedisKey Image(string jobId) => JobKey(jobId, "image");

    /// <summary>Stream: the job's events, each entry encoded by <see cref="JobEventCodec"/>.</summary>
    public RedisKey Events(string jobId) => JobKey(jobId, "events");

    /// <summary>Stream: the shard's job queue, read by the workers' consumer group.</summary>
    public RedisKey Queue(int shard) => ShardKey(_queueStream, shard);

    /// <summary>Stream: one entry per job of the shard given up on (<see cref="DeadLetterFields"/>).</summary>
    public RedisKey DeadLetter(int shard) => ShardKey(_deadLetterStream, shard);

    /// <summary>
    /// Stream: one small entry (<see cref="ActivityFields"/>) for every event written to any job of the shard,
    /// so a gateway waits for all the jobs its clients follow with one blocking read per shard.
    /// </summary>
    public RedisKey Activity(int shard) => ShardKey($"{Prefix}:activity", shard);

    /// <summary>
    /// String: the shapes of a model's possible target layers (JSON written by the workers that load it), keyed by
    /// the SHA-256 of the model file so a gateway reads only shapes measured on the file it serves.
    /// </summary>
    public RedisKey ModelLayers(string modelFileHash) => $"{Prefix}:model:{modelFileHash}:layers";

    /// <summary>Hash: consumer name → <see cref="WorkerHeartbeat"/> of each worker slot.</summary>
    public RedisKey Workers => $"{Prefix}:workers";

    /// <summary>The hash tag of a shard (without braces), empty for the unsharded layout.</summary>
    public string Tag(int shard) => _tags[shard];

    private RedisKey JobKey(string jobId, string kind) => Shards == 1
        ? $"{Prefix}:{{{jobId}}}:{kind}"
        : $"{Prefix}:{{{_tags[ShardOf(jobId)]}}}:{jobId}:{kind}";

    private RedisKey ShardKey(string name, int shard) => Shards == 1 ? name : $"{name}:{{{_tags[shard]}}}";

    /// <summary>
    /// Shard <paramref name="shard"/> of <paramref name="shards"/> takes the first tag "s&lt;shard&gt;.&lt;n&gt;" whose
    /// cluster slot lies in the shard's equal share of the 16,384 slots, so that on a cluster whose slots are
    /// split evenly (as <c>redis-cli --cluster create</c> does) shards = primaries puts one shard on each primary.
    /// </summary>
    internal static string ShardTag(int shard, int shards)
    {
        if (shards == 1)
        {
            return "";
        }

        var first = shard * ClusterSlot.Count / shards;
        var end = (shard + 1) * ClusterSlot.Count / shards;
        for (var n = 0; ; n++)
        {
            var tag = string.Create(CultureInfo.InvariantCulture, $"s{shard}.{n}");
            var slot = ClusterSlot.Of(tag);
            if (slot >= first && slot < end)
            {
                return tag;
            }
        }
    }
}

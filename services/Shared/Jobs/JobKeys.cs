using StackExchange.Redis;

namespace SaliencySlider.Shared.Jobs;

/// <summary>
/// The Redis key layout. Every key of one job shares the hash tag {jobId}, so a job's keys live in
/// one cluster slot and a transaction or script may touch them together.
/// </summary>
public sealed class JobKeys(string prefix)
{
    public string Prefix { get; } = prefix;

    /// <summary>Hash: the job record (fields in <see cref="JobFields"/>).</summary>
    public RedisKey Job(string jobId) => $"{Prefix}:{{{jobId}}}:job";

    /// <summary>String: the uploaded image bytes.</summary>
    public RedisKey Image(string jobId) => $"{Prefix}:{{{jobId}}}:image";

    /// <summary>Stream: the job's events, each entry encoded by <see cref="JobEventCodec"/>.</summary>
    public RedisKey Events(string jobId) => $"{Prefix}:{{{jobId}}}:events";

    /// <summary>
    /// Stream: one small entry (<see cref="ActivityFields"/>) for every event written to any job, so a gateway
    /// waits for all the jobs its clients follow with one blocking read.
    /// </summary>
    public RedisKey Activity => $"{Prefix}:activity";

    /// <summary>
    /// String: the shapes of a model's possible target layers (JSON written by the workers that load it), keyed by
    /// the SHA-256 of the model file so a gateway reads only shapes measured on the file it serves.
    /// </summary>
    public RedisKey ModelLayers(string modelFileHash) => $"{Prefix}:model:{modelFileHash}:layers";

    /// <summary>Hash: consumer name → <see cref="WorkerHeartbeat"/> of each worker slot.</summary>
    public RedisKey Workers => $"{Prefix}:workers";
}

using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Jobs;

/// <summary>Reads a job record hash into the contract's <see cref="Job"/>.</summary>
public sealed class JobRecordReader(IConnectionMultiplexer redis, JobKeys keys)
{
    /// <summary>The job, or null when no such job exists (never submitted, or expired).</summary>
    public async Task<Job?> ReadAsync(string jobId)
    {
        var fields = await redis.GetDatabase().HashGetAllAsync(keys.Job(jobId));
        if (fields.Length == 0)
        {
            return null;
        }

        var record = fields.ToDictionary(f => f.Name.ToString(), f => f.Value);
        var job = new Job
        {
            JobId = jobId,
            State = JobStateNames.Parse(Text(record, JobFields.State)),
            Model = Text(record, JobFields.Model),
            FrameCount = Number(record, JobFields.FrameCount),
            FramesReady = Number(record, JobFields.FramesReady),
            Attempts = Number(record, JobFields.Attempts),
            Error = Text(record, JobFields.Error),
        };
        // A field that does not parse (a record written by another version) is left out rather than failing the call.
        job.Options = Message(record, JobFields.Options, ExplainOptions.Parser);
        job.Prediction = Message(record, JobFields.Prediction, Prediction.Parser);
        job.Timings = Message(record, JobFields.Timings, Timings.Parser);

        return job;
    }

    public Task<bool> ExistsAsync(string jobId) => redis.GetDatabase().KeyExistsAsync(keys.Job(jobId));

    private static string Text(Dictionary<string, RedisValue> record, string field)
        => record.TryGetValue(field, out var value) ? value.ToString() : "";

    private static int Number(Dictionary<string, RedisValue> record, string field)
        => record.TryGetValue(field, out var value) && value.TryParse(out int number) ? number : 0;

    private static T? Message<T>(Dictionary<string, RedisValue> record, string field, Google.Protobuf.MessageParser<T> parser)
        where T : Google.Protobuf.IMessage<T>
    {
        try
        {
            return Bytes(record, field) is { } bytes ? parser.ParseFrom(bytes) : default;
        }
        catch (Google.Protobuf.InvalidProtocolBufferException)
        {
            return default;
        }
    }

    private static byte[]? Bytes(Dictionary<string, RedisValue> record, string field)
        => record.TryGetValue(field, out var value) && !value.IsNullOrEmpty ? (byte[]?)value : null;
}

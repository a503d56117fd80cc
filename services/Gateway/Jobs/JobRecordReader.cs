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
        if (Bytes(record, JobFields.Options) is { } options)
        {
            job.Options = ExplainOptions.Parser.ParseFrom(options);
        }

        if (Bytes(record, JobFields.Prediction) is { } prediction)
        {
            job.Prediction = Prediction.Parser.ParseFrom(prediction);
        }

        if (Bytes(record, JobFields.Timings) is { } timings)
        {
            job.Timings = Timings.Parser.ParseFrom(timings);
        }

        return job;
    }

    public Task<bool> ExistsAsync(string jobId) => redis.GetDatabase().KeyExistsAsync(keys.Job(jobId));

    private static string Text(Dictionary<string, RedisValue> record, string field)
        => record.TryGetValue(field, out var value) ? value.ToString() : "";

    private static int Number(Dictionary<string, RedisValue> record, string field)
        => record.TryGetValue(field, out var value) && value.TryParse(out int number) ? number : 0;

    private static byte[]? Bytes(Dictionary<string, RedisValue> record, string field)
        => record.TryGetValue(field, out var value) && !value.IsNullOrEmpty ? (byte[]?)value : null;
}

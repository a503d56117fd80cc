using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Processing;

/// <summary>
/// Writes one attempt of one job: each event is appended to the job's event stream in the same
/// transaction as the job record change it implies, and every key's TTL is renewed with it.
/// </summary>
public sealed class JobWriter(IDatabase database, JobKeys keys, string jobId, int attempt, TimeSpan ttl)
{
    public int Attempt => attempt;

    public Task MarkRunningAsync(DateTimeOffset startedAt) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Running, attempt),
        new HashEntry(JobFields.State, JobStateNames.Running),
        new HashEntry(JobFields.StartedAt, startedAt.ToUnixTimeMilliseconds()),
        new HashEntry(JobFields.FramesReady, 0),
        new HashEntry(JobFields.Error, ""));

    public Task WriteExplanationAsync(Explanation explanation) => WriteAsync(
        new FrameEvent { Explanation = explanation },
        new HashEntry(JobFields.Prediction, explanation.Prediction.ToByteArray()),
        new HashEntry(JobFields.FrameCount, explanation.FrameCount));

    public async Task WriteFrameAsync(Frame frame)
    {
        var transaction = database.CreateTransaction();
        var appended = transaction.StreamAddAsync(keys.Events(jobId), JobEventCodec.Encode(new FrameEvent { Frame = frame }, attempt));
        var counted = transaction.HashIncrementAsync(keys.Job(jobId), JobFields.FramesReady);
        var renewed = RenewTtl(transaction);
        await transaction.ExecuteAsync();
        await Task.WhenAll(appended, counted, renewed);
    }

    public Task CompleteAsync(Completed completed, DateTimeOffset finishedAt) => WriteAsync(
        new FrameEvent { Completed = completed },
        new HashEntry(JobFields.State, JobStateNames.Done),
        new HashEntry(JobFields.Timings, completed.Timings.ToByteArray()),
        new HashEntry(JobFields.FinishedAt, finishedAt.ToUnixTimeMilliseconds()));

    public Task FailAsync(string reason, DateTimeOffset finishedAt) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Failed, attempt, message: reason),
        new HashEntry(JobFields.State, JobStateNames.Failed),
        new HashEntry(JobFields.Error, reason),
        new HashEntry(JobFields.FinishedAt, finishedAt.ToUnixTimeMilliseconds()));

    /// <summary>The job goes back to QUEUED (a worker stopped before finishing it); its events say so.</summary>
    public Task HandBackAsync(string reason) => WriteAsync(
        JobEventCodec.Status(jobId, JobState.Queued, attempt, message: reason),
        new HashEntry(JobFields.State, JobStateNames.Queued));

    private async Task WriteAsync(FrameEvent frameEvent, params HashEntry[] recordChanges)
    {
        var transaction = database.CreateTransaction();
        var appended = transaction.StreamAddAsync(keys.Events(jobId), JobEventCodec.Encode(frameEvent, attempt));
        var recorded = transaction.HashSetAsync(keys.Job(jobId), recordChanges);
        var renewed = RenewTtl(transaction);
        await transaction.ExecuteAsync();
        await Task.WhenAll(appended, recorded, renewed);
    }

    private Task RenewTtl(ITransaction transaction) => Task.WhenAll(
        transaction.KeyExpireAsync(keys.Job(jobId), ttl),
        transaction.KeyExpireAsync(keys.Events(jobId), ttl),
        transaction.KeyExpireAsync(keys.Image(jobId), ttl));
}

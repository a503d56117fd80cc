using Microsoft.Extensions.Options;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.ExplainerWorker.Models;
using SaliencySlider.ExplainerWorker.Telemetry;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Telemetry;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Processing;

public enum JobOutcome
{
    /// <summary>Every event and the Completed event were written.</summary>
    Completed,

    /// <summary>The job ended FAILED with a reason.</summary>
    Failed,

    /// <summary>Nothing to do: the job expired, or was already finished (a repeated delivery).</summary>
    Skipped,

    /// <summary>The worker was stopped mid-job; the job is QUEUED again and must be put back in the queue.</summary>
    HandedBack,
}

/// <summary>
/// Runs one delivery of a job: marks it RUNNING (attempts + 1), runs the explainer and writes each
/// event as soon as the engine yields it, then DONE or FAILED. Knows nothing of the queue: the caller
/// acknowledges or re-queues according to the outcome. Redis failures propagate (the job stays
/// pending in the queue).
/// </summary>
public sealed class JobProcessor(
    IConnectionMultiplexer redis,
    JobKeys keys,
    LoadedModels models,
    IOptions<JobOptions> jobOptions,
    WorkerMetrics metrics,
    TimeProvider clock,
    ILogger<JobProcessor> logger)
{
    public const string HandBackReason = "the worker stopped before finishing; the job is queued again";

    public async Task<JobOutcome> ProcessAsync(string jobId, CancellationToken abort)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object> { [TelemetryNames.JobIdScope] = jobId });
        var database = redis.GetDatabase();
        var record = (await database.HashGetAllAsync(keys.Job(jobId))).ToDictionary(f => f.Name.ToString(), f => f.Value);
        if (record.Count == 0)
        {
            logger.LogWarning("Job {JobId} expired before it was processed", jobId);
            metrics.Skipped();
            return JobOutcome.Skipped;
        }

        var state = JobStateNames.Parse(record.GetValueOrDefault(JobFields.State));
        if (state is JobState.Done or JobState.Failed)
        {
            WorkerLog.RepeatedDelivery(logger, jobId, state);
            metrics.Skipped();
            return JobOutcome.Skipped;
        }

        var attempt = (int)await database.HashIncrementAsync(keys.Job(jobId), JobFields.Attempts);
        metrics.Started();
        using var telemetry = JobTelemetry.Start(metrics, jobId, record.GetValueOrDefault(JobFields.TraceParent), attempt);
        var writer = new JobWriter(database, keys, jobId, attempt, jobOptions.Value.Ttl);
        var startedAt = clock.GetUtcNow();
        using (telemetry.Store())
        {
            await writer.MarkRunningAsync(startedAt);
        }

        WorkerLog.AttemptStarted(logger, jobId, attempt);
        try
        {
            return await ExplainAsync(writer, telemetry, jobId, record, startedAt, abort);
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            logger.LogWarning("Job {JobId}: handed back to the queue at shutdown", jobId);
            await writer.HandBackAsync(HandBackReason);
            metrics.HandedBack();
            return JobOutcome.HandedBack;
        }
        catch (Exception e) when (e is InvalidImageException or UnsupportedModelException or ArgumentException)
        {
            telemetry.Failed(e.Message);
            return await FailAsync(writer, jobId, e.Message);
        }
        catch (Exception e) when (e is not RedisException)
        {
            logger.LogError(e, "Job {JobId}: the engine failed", jobId);
            telemetry.Failed(e.Message);
            return await FailAsync(writer, jobId, $"the explainer failed: {e.Message}");
        }
    }

    private async Task<JobOutcome> ExplainAsync(
        JobWriter writer, JobTelemetry telemetry, string jobId, Dictionary<string, RedisValue> record, DateTimeOffset startedAt, CancellationToken abort)
    {
        var image = (byte[]?)await redis.GetDatabase().StringGetAsync(keys.Image(jobId));
        if (image is null)
        {
            return await FailAsync(writer, jobId, "the uploaded image expired before a worker took the job; submit it again");
        }

        var modelName = record.GetValueOrDefault(JobFields.Model).ToString();
        var explainer = models.Find(modelName);
        if (explainer is null)
        {
            return await FailAsync(writer, jobId, $"model '{modelName}' is not loaded on this worker");
        }

        var options = ExplainOptions.Parser.ParseFrom((byte[]?)record.GetValueOrDefault(JobFields.Options) ?? []);
        var queueMs = record.GetValueOrDefault(JobFields.CreatedAt).TryParse(out long createdAtMs)
            ? Math.Max(0, startedAt.ToUnixTimeMilliseconds() - createdAtMs)
            : 0;

        telemetry.ExplainStarted();
        await foreach (var engineEvent in explainer.ExplainAsync(image, ContractMapping.ToSettings(options), abort))
        {
            telemetry.Observe(engineEvent);
            using var store = telemetry.Store();
            switch (engineEvent)
            {
                case ExplanationReady ready:
                    await writer.WriteExplanationAsync(ContractMapping.ToContract(ready));
                    break;
                case SliderFrame frame:
                    await writer.WriteFrameAsync(ContractMapping.ToContract(frame));
                    break;
                case ExplanationCompleted completed:
                    telemetry.Completed(completed.Timings, queueMs);
                    await writer.CompleteAsync(
                        new Completed
                        {
                            InsertionAuc = completed.InsertionAuc,
                            DeletionAuc = completed.DeletionAuc ?? 0f,
                            Timings = ContractMapping.ToContract(completed.Timings, queueMs),
                        },
                        clock.GetUtcNow());
                    metrics.Completed();
                    WorkerLog.JobDone(logger, jobId, completed.Timings.TotalMs);
                    return JobOutcome.Completed;
            }
        }

        return await FailAsync(writer, jobId, "the explainer ended without completing the explanation");
    }

    private async Task<JobOutcome> FailAsync(JobWriter writer, string jobId, string reason)
    {
        logger.LogWarning("Job {JobId}: failed: {Reason}", jobId, reason);
        await writer.FailAsync(reason, clock.GetUtcNow());
        metrics.Failed();
        return JobOutcome.Failed;
    }
}

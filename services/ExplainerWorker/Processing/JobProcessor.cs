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

    /// <summary>This attempt failed unexpectedly; the job is QUEUED again for another attempt and must be put back in the queue.</summary>
    RetryLater,

    /// <summary>Another worker took the job over (this one was taken for dead): leave its queue entry alone.</summary>
    Superseded,
}

/// <summary>
/// Runs one delivery of a job: takes ownership of it (a new attempt, see <see cref="AttemptStarter"/>),
/// marks it RUNNING, runs the explainer and writes each event as soon as the engine yields it, then
/// DONE, FAILED, or QUEUED again. Knows nothing of the queue: the caller acknowledges or re-queues
/// according to the outcome. Redis failures propagate (the job stays pending in the queue, and is
/// claimed again once its visibility timeout passes).
/// </summary>
public sealed class JobProcessor(
    IConnectionMultiplexer redis,
    JobKeys keys,
    LoadedModels models,
    AttemptStarter attempts,
    IOptions<JobOptions> jobOptions,
    IOptions<QueueOptions> queueOptions,
    WorkerMetrics metrics,
    TimeProvider clock,
    ILogger<JobProcessor> logger)
{
    public const string HandBackReason = "the worker stopped before finishing; the job is queued again";
    private readonly QueueOptions _queue = queueOptions.Value;

    /// <param name="abort">Shutdown: hand the job back.</param>
    /// <param name="lost">This worker no longer holds the job's queue entry: stop without writing anything more.</param>
    public async Task<JobOutcome> ProcessAsync(string jobId, CancellationToken abort, CancellationToken lost)
    {
        using var logScope = logger.BeginScope(new Dictionary<string, object> { [TelemetryNames.JobIdScope] = jobId });
        var lease = Guid.NewGuid().ToString("N");
        var maxAttempts = _queue.MaxAttempts;
        var start = await attempts.StartAsync(jobId, lease, maxAttempts);
        switch (start.Decision)
        {
            case AttemptDecision.Expired:
                logger.LogWarning("Job {JobId} expired before it was processed", jobId);
                metrics.Skipped();
                return JobOutcome.Skipped;
            case AttemptDecision.Finished:
                WorkerLog.RepeatedDelivery(logger, jobId, JobState.Done);
                metrics.Skipped();
                return JobOutcome.Skipped;
        }

        var database = redis.GetDatabase();
        var writer = new JobWriter(database, keys, jobId, start.Attempt, lease, jobOptions.Value.Ttl, jobOptions.Value.FrameTtl);
        try
        {
            if (start.Decision == AttemptDecision.Exhausted)
            {
                return await FailAsync(writer, jobId, $"gave up after {start.Failures} failed attempts; last error: {start.LastError}", deadLetter: true);
            }

            metrics.Started();
            var record = (await database.HashGetAllAsync(keys.Job(jobId))).ToDictionary(f => f.Name.ToString(), f => f.Value);
            using var telemetry = JobTelemetry.Start(metrics, jobId, record.GetValueOrDefault(JobFields.TraceParent), start.Attempt);
            var startedAt = clock.GetUtcNow();
            var message = start.Attempt > 1
                ? $"restarted after a worker failure (attempt {start.Attempt}; {start.Failures} of {maxAttempts} attempts failed so far); frames start over"
                : "";
            using (telemetry.Store())
            {
                await writer.MarkRunningAsync(startedAt, message);
            }

            WorkerLog.AttemptStarted(logger, jobId, start.Attempt);
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(abort, lost);
            return await RunAsync(writer, telemetry, jobId, record, startedAt, start, maxAttempts, abort, lost, stop.Token);
        }
        catch (AttemptSupersededException)
        {
            logger.LogWarning("Job {JobId}: attempt {Attempt} was taken over by another worker; stopping it", jobId, start.Attempt);
            return JobOutcome.Superseded;
        }
    }

    private async Task<JobOutcome> RunAsync(
        JobWriter writer, JobTelemetry telemetry, string jobId, Dictionary<string, RedisValue> record, DateTimeOffset startedAt,
        AttemptStart start, int maxAttempts, CancellationToken abort, CancellationToken lost, CancellationToken stop)
    {
        try
        {
            return await ExplainAsync(writer, telemetry, jobId, record, startedAt, stop);
        }
        catch (OperationCanceledException) when (lost.IsCancellationRequested)
        {
            logger.LogWarning("Job {JobId}: attempt {Attempt} lost its queue entry to another worker; stopping it", jobId, start.Attempt);
            return JobOutcome.Superseded;
        }
        catch (OperationCanceledException) when (abort.IsCancellationRequested)
        {
            logger.LogWarning("Job {JobId}: handed back to the queue at shutdown", jobId);
            await writer.HandBackAsync(HandBackReason);
            metrics.HandedBack();
            return JobOutcome.HandedBack;
        }
        catch (Exception e) when (IsInputError(e))
        {
            telemetry.Failed(e.Message);
            return await FailAsync(writer, jobId, e.Message);
        }
        catch (Exception e) when (e is not RedisException and not AttemptSupersededException)
        {
            // Unexpected: maybe this worker's trouble (memory, a device), maybe the input's. Another
            // attempt decides; a job that fails every time ends in the dead-letter stream.
            logger.LogError(e, "Job {JobId}: attempt {Attempt} failed unexpectedly", jobId, start.Attempt);
            telemetry.Failed(e.Message);
            var reason = $"the explainer failed: {e.Message}";
            if (start.Failures + 1 >= maxAttempts)
            {
                return await FailAsync(writer, jobId, $"gave up after {start.Failures + 1} failed attempts; last error: {reason}", deadLetter: true);
            }

            await writer.RetryLaterAsync(reason, maxAttempts);
            metrics.Failed();
            return JobOutcome.RetryLater;
        }
    }

    /// <summary>
    /// Only the engine's own verdicts on the job's input fail it at once; anything else (an ArgumentException
    /// from a defect included) is retried and, failing every time, dead-lettered.
    /// </summary>
    public static bool IsInputError(Exception e) => e is InvalidImageException or UnsupportedModelException or InvalidSettingsException;

    private async Task<JobOutcome> ExplainAsync(
        JobWriter writer, JobTelemetry telemetry, string jobId, Dictionary<string, RedisValue> record, DateTimeOffset startedAt, CancellationToken stop)
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
        if (options.CompareMethods)
        {
            return await CompareAsync(writer, telemetry, jobId, new MethodComparer(explainer), image, options, queueMs, stop);
        }

        // A frame is written while the engine makes the next one: at most one write in flight (memory stays bounded),
        // and it is awaited before the next write, so frames keep their order and a failed write stops the job.
        var frameWrite = Task.CompletedTask;
        try
        {
            await foreach (var engineEvent in explainer.ExplainAsync(image, ContractMapping.ToSettings(options), stop))
            {
                telemetry.Observe(engineEvent);
                await frameWrite;
                switch (engineEvent)
                {
                    case ChannelScoringProgress progress:
                        await StoreAsync(telemetry, () => writer.WriteProgressAsync(ContractMapping.ToContract(progress)));
                        break;
                    case ExplanationReady ready:
                        await StoreAsync(telemetry, () => writer.WriteExplanationAsync(ContractMapping.ToContract(ready)));
                        break;
                    case SliderFrame frame:
                        frameWrite = StoreAsync(telemetry, () => writer.WriteFrameAsync(ContractMapping.ToContract(frame)));
                        break;
                    case ExplanationCompleted completed:
                        return await CompleteAsync(
                            writer, telemetry, jobId,
                            new Completed { InsertionAuc = completed.InsertionAuc, DeletionAuc = completed.DeletionAuc ?? 0f },
                            completed.Timings, queueMs);
                }
            }
        }
        finally
        {
            // Stopped early (cancelled, or a failed write): the write in flight ends before the job is handed back or failed.
            await Task.WhenAny(frameWrite);
        }

        return await FailAsync(writer, jobId, "the explainer ended without completing the explanation");
    }

    private static async Task StoreAsync(JobTelemetry telemetry, Func<Task> write)
    {
        using var store = telemetry.Store();
        await write();
    }

    private async Task<JobOutcome> CompareAsync(
        JobWriter writer, JobTelemetry telemetry, string jobId, MethodComparer comparer, byte[] image, ExplainOptions options, double queueMs, CancellationToken stop)
    {
        ComparisonStarted? started = null;
        await foreach (var comparisonEvent in comparer.CompareAsync(image, ContractMapping.ToSettings(options), ct: stop))
        {
            using var store = telemetry.Store();
            switch (comparisonEvent)
            {
                case ComparisonStarted first:
                    started = first;
                    break;
                case MethodCompared result when started is not null:
                    await writer.WriteMethodResultAsync(ContractMapping.ToContract(result, started));
                    break;
                case ComparisonCompleted completed:
                    return await CompleteAsync(writer, telemetry, jobId, new Completed(), completed.Timings, queueMs);
            }
        }

        return await FailAsync(writer, jobId, "the comparison ended without completing");
    }

    private async Task<JobOutcome> CompleteAsync(
        JobWriter writer, JobTelemetry telemetry, string jobId, Completed completed, StageTimings timings, double queueMs)
    {
        telemetry.Completed(timings, queueMs);
        completed.Timings = ContractTimings.ToContract(timings, queueMs);
        await writer.CompleteAsync(completed, clock.GetUtcNow());
        metrics.Completed();
        WorkerLog.JobDone(logger, jobId, timings.TotalMs);
        return JobOutcome.Completed;
    }

    private async Task<JobOutcome> FailAsync(JobWriter writer, string jobId, string reason, bool deadLetter = false)
    {
        logger.LogWarning("Job {JobId}: failed: {Reason}", jobId, reason);
        await writer.FailAsync(reason, clock.GetUtcNow(), deadLetter);
        metrics.Failed();
        return JobOutcome.Failed;
    }
}

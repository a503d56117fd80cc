using Microsoft.Extensions.Options;
using SaliencySlider.ExplainerWorker.Processing;
using SaliencySlider.Shared.Configuration;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Queue;

/// <summary>
/// Worker:Concurrency slots, each a consumer of the queue's group that takes one job at a time —
/// first an abandoned one (XAUTOCLAIM past the visibility timeout), else a new one (blocking read) —
/// processes it while refreshing its claim, and acknowledges it. On stop no new job is read; running
/// jobs may finish until the host's shutdown timeout, after which they are aborted and handed back to the queue.
/// </summary>
public sealed class JobQueueConsumer(
    JobQueue queue,
    JobProcessor processor,
    IOptions<WorkerOptions> workerOptions,
    IOptions<QueueOptions> queueOptions,
    ILogger<JobQueueConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HandBackGrace = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _abortJobs = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = workerOptions.Value;
        var slots = Enumerable.Range(0, options.Concurrency)
            .Select(slot => Task.Run(() => RunSlotAsync($"{WorkerIdentity.ConsumerBaseName(options)}-{slot}", stoppingToken), CancellationToken.None));
        return Task.WhenAll(slots);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        // The grace period counts from here, whatever the host's own timeout does.
        _abortJobs.CancelAfter(workerOptions.Value.ShutdownTimeout);
        await using (cancellationToken.Register(_abortJobs.Cancel))
        {
            await base.StopAsync(cancellationToken);
        }

        if (ExecuteTask is { IsCompleted: false } running)
        {
            // Shutdown timeout reached: the jobs were aborted; give them a moment to hand themselves back.
            await running.WaitAsync(HandBackGrace, CancellationToken.None).ContinueWith(_ => { }, TaskScheduler.Default);
        }
    }

    public override void Dispose()
    {
        _abortJobs.Dispose();
        base.Dispose();
    }

    private async Task RunSlotAsync(string consumer, CancellationToken stoppingToken)
    {
        WorkerLog.ConsumerStarted(logger, consumer);
        var groupReady = false;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (!groupReady)
                {
                    await queue.EnsureGroupAsync();
                    groupReady = true;
                }

                var jobs = await queue.ReclaimAbandonedAsync(consumer);
                foreach (var job in jobs)
                {
                    logger.LogWarning("Consumer {Consumer}: reclaimed job {JobId} (queue entry {Entry}) from a worker taken for dead", consumer, job.JobId, job.EntryId);
                }

                if (jobs.Length == 0 && !stoppingToken.IsCancellationRequested)
                {
                    jobs = await queue.ReadNewAsync(consumer, stoppingToken);
                }

                foreach (var job in jobs)
                {
                    await HandleAsync(job, consumer, stoppingToken);
                }
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                groupReady = false; // the stream or group was deleted (or Redis restarted without it); create them again
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Consumer {Consumer}: Redis error; retrying", consumer);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                // A defect must not stop the worker: the job stays pending and is reclaimed, and after
                // Queue:MaxAttempts it is dead-lettered.
                logger.LogError(e, "Consumer {Consumer}: unexpected error; carrying on", consumer);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        WorkerLog.ConsumerStopped(logger, consumer);
    }

    private async Task HandleAsync(QueuedJob job, string consumer, CancellationToken stoppingToken)
    {
        if (job.JobId is null)
        {
            await queue.AcknowledgeAsync(job); // an entry without a job id (deleted): nothing to do
            return;
        }

        if (stoppingToken.IsCancellationRequested)
        {
            // Delivered by a read that was already waiting when the stop came: hand it back untouched.
            await queue.RequeueAsync(job);
            return;
        }

        using var lost = new CancellationTokenSource();
        using var done = new CancellationTokenSource();
        var keeper = KeepClaimAsync(job, consumer, lost, done.Token);
        JobOutcome outcome;
        try
        {
            outcome = await processor.ProcessAsync(job.JobId, _abortJobs.Token, lost.Token);
        }
        finally
        {
            await done.CancelAsync();
            await keeper;
        }

        switch (outcome)
        {
            case JobOutcome.HandedBack or JobOutcome.RetryLater:
                await queue.RequeueAsync(job);
                break;
            case JobOutcome.Superseded:
                break; // the entry belongs to the worker that took the job over
            default:
                await queue.AcknowledgeAsync(job);
                break;
        }
    }

    /// <summary>Keeps the entry's idle time below the visibility timeout while the job runs, so a slow but alive worker keeps it.</summary>
    private async Task KeepClaimAsync(QueuedJob job, string consumer, CancellationTokenSource lost, CancellationToken done)
    {
        using var timer = new PeriodicTimer(queueOptions.Value.EffectiveClaimRefreshInterval);
        try
        {
            while (await timer.WaitForNextTickAsync(done))
            {
                try
                {
                    if (!await queue.RefreshClaimAsync(job, consumer))
                    {
                        await lost.CancelAsync();
                        return;
                    }
                }
                catch (RedisException e)
                {
                    logger.LogWarning(e, "Consumer {Consumer}: could not refresh the claim on job {JobId}", consumer, job.JobId);
                }
            }
        }
        catch (OperationCanceledException) when (done.IsCancellationRequested)
        {
        }
    }
}

using Microsoft.Extensions.Options;
using SaliencySlider.ExplainerWorker.Processing;
using StackExchange.Redis;

namespace SaliencySlider.ExplainerWorker.Queue;

/// <summary>
/// Worker:Concurrency slots, each a consumer of the queue's group that reads one job at a time
/// (blocking), processes it and acknowledges it. On stop no new job is read; running jobs may
/// finish until the host's shutdown timeout, after which they are aborted and handed back to the queue.
/// </summary>
public sealed class JobQueueConsumer(
    JobQueue queue,
    JobProcessor processor,
    IOptions<WorkerOptions> workerOptions,
    ILogger<JobQueueConsumer> logger) : BackgroundService
{
    private static readonly TimeSpan RetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan HandBackGrace = TimeSpan.FromSeconds(5);
    private readonly CancellationTokenSource _abortJobs = new();

    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var options = workerOptions.Value;
        var slots = Enumerable.Range(0, Math.Max(1, options.Concurrency))
            .Select(slot => Task.Run(() => RunSlotAsync($"{WorkerIdentity.ConsumerBaseName(options)}-{slot}", stoppingToken), CancellationToken.None));
        return Task.WhenAll(slots);
    }

    public override async Task StopAsync(CancellationToken cancellationToken)
    {
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

                foreach (var job in await queue.ReadNewAsync(consumer))
                {
                    await HandleAsync(job, stoppingToken);
                }
            }
            catch (RedisServerException e) when (e.Message.StartsWith("NOGROUP", StringComparison.Ordinal))
            {
                groupReady = false; // the stream or group was deleted; create them again
            }
            catch (RedisException e)
            {
                logger.LogWarning(e, "Consumer {Consumer}: Redis error; retrying", consumer);
                await Task.Delay(RetryDelay, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }

        WorkerLog.ConsumerStopped(logger, consumer);
    }

    private async Task HandleAsync(QueuedJob job, CancellationToken stoppingToken)
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

        var outcome = await processor.ProcessAsync(job.JobId, _abortJobs.Token);
        if (outcome == JobOutcome.HandedBack)
        {
            await queue.RequeueAsync(job);
        }
        else
        {
            await queue.AcknowledgeAsync(job);
        }
    }
}

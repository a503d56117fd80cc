using System.Globalization;
using System.Text;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;
using StackExchange.Redis;

namespace SaliencySlider.LoadGen;

/// <summary>
/// Where a job's first frame spends its time through the service, from the ids Redis gave the job's events (an entry
/// id starts with the Redis server's clock in ms; Redis, the services and the client share this machine's clock) and
/// the client's own clock: Submit until the job is queued, the hand-off to a worker, the worker until the explanation
/// is written, until the first frame is written, and the frame's delivery through the gateway to the client.
/// </summary>
internal sealed record FirstFrameTimeline(double SubmitMs, double HandOffMs, double ToExplanationMs, double ToFirstFrameMs, double DeliveryMs)
{
    // The services' defaults (Redis:KeyPrefix), which the load generator does not change.
    private static readonly JobKeys Keys = new(new RedisOptions().KeyPrefix);

    public static async Task<FirstFrameTimeline?> ReadAsync(IDatabase redis, JobTimings job)
    {
        double? queued = null, running = null, explanation = null, frame = null;
        foreach (var entry in await redis.StreamRangeAsync(Keys.Events(job.JobId)))
        {
            var (jobEvent, _) = JobEventCodec.Decode(entry);
            var at = double.Parse(((string)entry.Id!).Split('-')[0], CultureInfo.InvariantCulture);
            switch (jobEvent.EventCase)
            {
                case JobEvent.EventOneofCase.Status when jobEvent.Status.State == JobState.Queued:
                    queued ??= at;
                    break;
                case JobEvent.EventOneofCase.Status when jobEvent.Status.State == JobState.Running:
                    running ??= at;
                    break;
                case JobEvent.EventOneofCase.Explanation:
                    explanation ??= at;
                    break;
                case JobEvent.EventOneofCase.Frame:
                    frame ??= at;
                    break;
            }
        }
        if (queued is null || running is null || explanation is null || frame is null || job.FirstFrameMs < 0)
        {
            return null;
        }
        return new FirstFrameTimeline(
            queued.Value - job.SubmittedAtUnixMs,
            running.Value - queued.Value,
            explanation.Value - running.Value,
            frame.Value - explanation.Value,
            job.SubmittedAtUnixMs + job.FirstFrameMs - frame.Value);
    }

    public static void AppendMarkdown(StringBuilder s, IEnumerable<JobTimings> jobs)
    {
        var timelines = jobs.Select(j => j.Timeline).OfType<FirstFrameTimeline>().ToList();
        if (timelines.Count == 0)
        {
            return;
        }
        s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"The first frame's path through the service (medians over the same {timelines.Count} jobs; from the client's clock and the ms in the ids Redis gave the job's events, so each step is ±1 ms):"));
        s.AppendLine();
        s.AppendLine("| step | ms |");
        s.AppendLine("|---|---:|");
        foreach (var (name, of) in Steps)
        {
            s.AppendLine(string.Create(CultureInfo.InvariantCulture, $"| {name} | {Percentiles.Of(timelines.Select(of), 0.5):F1} |"));
        }
        s.AppendLine();
    }

    private static readonly (string Name, Func<FirstFrameTimeline, double> Of)[] Steps =
    [
        ("Submit (gRPC call, validation with the image's decode, the enqueue script) until the job is queued", t => t.SubmitMs),
        ("queued → a worker marks it running (the blocking read wakes, the attempt starts)", t => t.HandOffMs),
        ("running → the explanation written (image read, decode and prepare, gradient run, CAM, heatmap)", t => t.ToExplanationMs),
        ("explanation → the first frame written (the first frame run, render, encode)", t => t.ToFirstFrameMs),
        ("the first frame written → the client has it (gateway's follower, gRPC)", t => t.DeliveryMs),
    ];
}

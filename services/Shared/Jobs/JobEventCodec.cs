using Google.Protobuf;
using SaliencySlider.Contracts.V1;
using StackExchange.Redis;

namespace SaliencySlider.Shared.Jobs;

/// <summary>
/// One entry of a job's event stream: the serialized <see cref="JobEvent"/> in field "event" and
/// the attempt (1-based; 0 before any worker started) that wrote it in field "attempt".
/// </summary>
public static class JobEventCodec
{
    public const string EventField = "event";
    public const string AttemptField = "attempt";

    public static NameValueEntry[] Encode(JobEvent jobEvent, int attempt)
        => [new(EventField, jobEvent.ToByteArray()), new(AttemptField, attempt)];

    public static (JobEvent Event, int Attempt) Decode(StreamEntry entry)
    {
        var bytes = (byte[]?)entry[EventField] ?? throw new InvalidDataException($"event stream entry {entry.Id} has no '{EventField}' field");
        var attempt = entry[AttemptField];
        return (JobEvent.Parser.ParseFrom(bytes), attempt.IsNull ? 0 : (int)attempt);
    }

    /// <summary>The last event of a job: Completed, or a FAILED status.</summary>
    public static bool IsTerminal(JobEvent jobEvent)
        => jobEvent.EventCase == JobEvent.EventOneofCase.Completed
           || (jobEvent.EventCase == JobEvent.EventOneofCase.Status && jobEvent.Status.State == JobState.Failed);

    public static JobEvent Status(string jobId, JobState state, int attempt = 0, long queuePosition = 0, string message = "")
        => new()
        {
            Status = new JobStatus
            {
                JobId = jobId,
                State = state,
                Attempt = attempt,
                QueuePosition = queuePosition,
                Message = message,
            },
        };
}

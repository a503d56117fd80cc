namespace SaliencySlider.Shared.Jobs;

/// <summary>Field names of the job record hash.</summary>
public static class JobFields
{
    /// <summary>The <see cref="Contracts.V1.JobState"/> as <see cref="JobStateNames"/> writes it (QUEUED, RUNNING, DONE, FAILED).</summary>
    public const string State = "state";
    public const string Model = "model";

    /// <summary>The normalised <see cref="Contracts.V1.ExplainOptions"/>, protobuf bytes.</summary>
    public const string Options = "options";
    public const string FrameCount = "frame_count";
    public const string FramesReady = "frames_ready";
    public const string Attempts = "attempts";

    /// <summary>Attempts that ended by handing the job back at shutdown (not counted as failures).</summary>
    public const string HandedBack = "handed_back";

    /// <summary>Random token of the attempt that owns the job; a write by any other attempt is refused.</summary>
    public const string Lease = "lease";
    public const string Error = "error";

    /// <summary>Unix time in milliseconds.</summary>
    public const string CreatedAt = "created_at";
    public const string StartedAt = "started_at";
    public const string FinishedAt = "finished_at";

    /// <summary>The full image's <see cref="Contracts.V1.Prediction"/>, protobuf bytes.</summary>
    public const string Prediction = "prediction";

    /// <summary>The <see cref="Contracts.V1.Timings"/>, protobuf bytes.</summary>
    public const string Timings = "timings";

    /// <summary>Message id of the job's latest entry in the queue stream.</summary>
    public const string QueueEntry = "queue_entry";

    /// <summary>W3C traceparent of the request that queued the job; empty when it was not traced.</summary>
    public const string TraceParent = "trace_parent";
}

/// <summary>Field names of a queue stream entry.</summary>
public static class QueueFields
{
    public const string JobId = "job_id";
}

/// <summary>Field names of an entry of the activity stream (<see cref="JobKeys.Activity"/>).</summary>
public static class ActivityFields
{
    public const string JobId = "job_id";

    /// <summary>Entries kept (approximately): a gateway that falls further behind wakes its followers by their timeout instead.</summary>
    public const int MaxLength = 10_000;
}

/// <summary>Field names of a dead-letter stream entry.</summary>
public static class DeadLetterFields
{
    public const string JobId = "job_id";
    public const string Attempts = "attempts";
    public const string Error = "error";
}

/// <summary>
/// How a <see cref="Contracts.V1.JobState"/> is written in the <see cref="JobFields.State"/> field: the
/// value's name without the contract's JOB_STATE_ prefix (records written before the prefix was
/// added read the same).
/// </summary>
public static class JobStateNames
{
    public const string Queued = "QUEUED";
    public const string Running = "RUNNING";
    public const string Done = "DONE";
    public const string Failed = "FAILED";

    public static string Of(Contracts.V1.JobState state) => state switch
    {
        Contracts.V1.JobState.Queued => Queued,
        Contracts.V1.JobState.Running => Running,
        Contracts.V1.JobState.Done => Done,
        Contracts.V1.JobState.Failed => Failed,
        _ => throw new ArgumentOutOfRangeException(nameof(state), state, "not a job state"),
    };

    public static Contracts.V1.JobState Parse(string? name) => name switch
    {
        Queued => Contracts.V1.JobState.Queued,
        Running => Contracts.V1.JobState.Running,
        Done => Contracts.V1.JobState.Done,
        Failed => Contracts.V1.JobState.Failed,
        _ => Contracts.V1.JobState.Unspecified,
    };
}

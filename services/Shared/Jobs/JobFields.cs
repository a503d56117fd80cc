namespace SaliencySlider.Shared.Jobs;

/// <summary>Field names of the job record hash.</summary>
public static class JobFields
{
    /// <summary>The <see cref="Contracts.V1.JobState"/> name (QUEUED, RUNNING, DONE, FAILED).</summary>
    public const string State = "state";
    public const string Model = "model";

    /// <summary>The normalised <see cref="Contracts.V1.ExplainOptions"/>, protobuf bytes.</summary>
    public const string Options = "options";
    public const string FrameCount = "frame_count";
    public const string FramesReady = "frames_ready";
    public const string Attempts = "attempts";
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
}

/// <summary>Field names of a queue stream entry.</summary>
public static class QueueFields
{
    public const string JobId = "job_id";
}

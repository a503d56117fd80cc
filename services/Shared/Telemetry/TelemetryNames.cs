namespace SaliencySlider.Shared.Telemetry;

/// <summary>Names shared by the services' spans, metrics and log scopes.</summary>
public static class TelemetryNames
{
    /// <summary>Activity source and meter of the gateway.</summary>
    public const string Gateway = "SaliencySlider.Gateway";

    /// <summary>Activity source and meter of the explainer worker.</summary>
    public const string Worker = "SaliencySlider.ExplainerWorker";

    /// <summary>Span attribute and log scope key holding the job id.</summary>
    public const string JobIdTag = "saliency.job_id";
    public const string JobIdScope = "JobId";
}

using System.Diagnostics;

namespace SaliencySlider.Shared.Telemetry;

/// <summary>
/// A W3C traceparent carried inside the job record, so that the worker's spans join the trace of
/// the request that queued the job (the queue is not an RPC, so nothing propagates it otherwise).
/// </summary>
public static class TraceContext
{
    /// <summary>The current span as a W3C traceparent, or "" when nothing is traced.</summary>
    public static string CurrentTraceParent()
        => Activity.Current is { IdFormat: ActivityIdFormat.W3C, Id: { } id } ? id : "";

    /// <summary>The remote parent a traceparent names; default (no parent) when it is empty or malformed.</summary>
    public static ActivityContext Parse(string? traceParent)
        => !string.IsNullOrEmpty(traceParent) && ActivityContext.TryParse(traceParent, traceState: null, isRemote: true, out var context)
            ? context
            : default;
}

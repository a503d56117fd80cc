using System.Diagnostics;
using SaliencySlider.Shared.Jobs;
using SaliencySlider.Shared.Telemetry;
using StackExchange.Redis;

namespace SaliencySlider.Gateway.Telemetry;

/// <summary>
/// The gateway's spans. Submit and Explain start the job's trace (or join the caller's); the
/// traceparent is stored in the job record (see JobEnqueuer) for the worker. StreamFrames is a
/// separate call, usually without trace context: its span continues the job's trace, read from the
/// record, and links the caller's context when there is one.
/// </summary>
public sealed class GatewayTracing(IConnectionMultiplexer redis, JobKeys keys)
{
    public static readonly ActivitySource Source = new(TelemetryNames.Gateway);

    public static Activity? StartCall(string method) => Source.StartActivity(method, ActivityKind.Server);

    public async Task<Activity?> StartStreamAsync(string method, string jobId)
    {
        if (!Source.HasListeners() || !JobIdFactory.IsWellFormed(jobId))
        {
            return null;
        }

        var traceParent = (string?)await redis.GetDatabase().HashGetAsync(keys.Job(jobId), JobFields.TraceParent);
        var jobContext = TraceContext.Parse(traceParent);
        if (jobContext == default)
        {
            return StartCall(method)?.SetTag(TelemetryNames.JobIdTag, jobId);
        }

        var links = Activity.Current is { } caller ? new[] { new ActivityLink(caller.Context) } : null;
        return Source.StartActivity(method, ActivityKind.Server, jobContext, links: links)?.SetTag(TelemetryNames.JobIdTag, jobId);
    }
}

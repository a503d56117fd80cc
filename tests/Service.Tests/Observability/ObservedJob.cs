using System.Diagnostics;
using Google.Protobuf;
using OpenTelemetry;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>Helpers for the observability tests: small, quick jobs of distinct images.</summary>
internal static class ObservedJob
{
    public static SubmitRequest Request(int inset) => new()
    {
        Image = ByteString.CopyFrom(TestImages.Cropped("chelsea.png", inset)),
        Options = new ExplainOptions { FrameCount = 3, MaxFrameSide = 64 },
    };

    /// <summary>Submits, streams every event and returns the job id once the job completed.</summary>
    public static async Task<string> RunAsync(ServiceStack stack, int inset)
    {
        var submitted = await stack.Client.SubmitAsync(Request(inset), stack.Deadline());
        var events = await stack.StreamAllAsync(submitted.JobId);
        Assert.Equal(JobEvent.EventOneofCase.Completed, events[^1].EventCase);
        return submitted.JobId;
    }
}

/// <summary>Completes a task when a span with the given name ends (the worker's span ends after the client saw Completed).</summary>
internal sealed class SpanEndSignal(string name) : BaseProcessor<Activity>
{
    private readonly TaskCompletionSource<Activity> _ended = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Activity> Ended => _ended.Task;

    public override void OnEnd(Activity data)
    {
        if (data.DisplayName == name)
        {
            _ended.TrySetResult(data);
        }
    }
}

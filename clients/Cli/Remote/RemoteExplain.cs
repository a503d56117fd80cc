using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Cli.Remote;

/// <summary>`saliency explain IMAGE --server URL`: the job's explanation and frames written as the local mode writes them.</summary>
internal sealed class RemoteExplain(string server, string imagePath, string outputDirectory, ExplainOptions options, TextWriter stdout) : IRemoteJobOutput
{
    private ResultWriter? _writer;

    public static Task<int> RunAsync(
        string server, string imagePath, string? model, ExplainOptions options, string outputDirectory,
        TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken ct)
        => RemoteJob.RunAsync(server, imagePath, model, options, new RemoteExplain(server, imagePath, outputDirectory, options, stdout), stderr, interactive, ct);

    public void Started(string jobId) => _writer = new ResultWriter(imagePath, outputDirectory, new RemoteSource(server, jobId));

    public void Add(JobEvent jobEvent, ProgressDisplay progress)
    {
        var writer = _writer!;
        switch (jobEvent.EventCase)
        {
            case JobEvent.EventOneofCase.Explanation:
                writer.Add(ContractEvents.Ready(jobEvent.Explanation));
                progress.Frames(0, writer.FrameCount);
                break;
            case JobEvent.EventOneofCase.Frame:
                writer.Add(ContractEvents.Frame(jobEvent.Frame, options.DeletionCurve));
                progress.Frames(writer.FramesReceived, writer.FrameCount);
                break;
        }
    }

    public async Task CompleteAsync(Completed completed)
    {
        var writer = _writer!;
        writer.Add(ContractEvents.Completed(completed, options.DeletionCurve));
        writer.Finish(queueMs: completed.Timings.QueueMs);
        await stdout.WriteAsync(writer.Summary());
    }
}

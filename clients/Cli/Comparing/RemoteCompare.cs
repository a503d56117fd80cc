using SaliencySlider.Cli.Remote;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Cli.Comparing;

/// <summary>`saliency compare IMAGE --server URL`: a job with compare_methods, one MethodResult per method, written as the local mode writes them.</summary>
internal sealed class RemoteCompare(string server, string imagePath, string? model, ExplainSettings settings, string outputDirectory, TextWriter stdout)
    : IRemoteJobOutput
{
    private ComparisonWriter? _writer;

    public static Task<int> RunAsync(
        string server, string imagePath, string? model, ExplainSettings settings, string outputDirectory,
        TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken ct)
    {
        var options = new ExplainOptions
        {
            CompareMethods = true,
            TargetLayer = settings.TargetLayer ?? "",
            FrameCount = settings.FrameCount,
            Baseline = ContractEnums.ToContract(settings.Baseline),
            MaxFrameSide = settings.MaxFrameSide,
        };
        if (settings.TargetClass is { } targetClass)
        {
            options.TargetClass = targetClass;
        }
        var output = new RemoteCompare(server, imagePath, model, settings, outputDirectory, stdout);
        return RemoteJob.RunAsync(server, imagePath, model, options, output, stderr, interactive, ct);
    }

    public void Started(string jobId)
        => _writer = new ComparisonWriter(imagePath, outputDirectory, new ComparisonOrigin(model, server, jobId), ComparisonProtocol.For(settings));

    public void Add(JobEvent jobEvent, ProgressDisplay progress)
    {
        if (jobEvent.EventCase != JobEvent.EventOneofCase.MethodResult)
        {
            return;
        }
        var writer = _writer!;
        var result = jobEvent.MethodResult;
        if (writer.MethodsReceived == 0)
        {
            writer.Add(ContractEvents.ComparisonStarted(result));
        }
        writer.Add(ContractEvents.MethodCompared(result));
        progress.Methods(writer.MethodsReceived, result.MethodCount);
    }

    public async Task CompleteAsync(Completed completed)
    {
        var writer = _writer!;
        writer.Add(new ComparisonCompleted(ContractTimings.ToEngine(completed.Timings)));
        writer.Finish();
        await stdout.WriteAsync(writer.Summary());
    }
}

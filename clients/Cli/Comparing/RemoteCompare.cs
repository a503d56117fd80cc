using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Cli.Remote;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Cli.Comparing;

/// <summary>`saliency compare IMAGE --server URL`: Submit with compare_methods, then StreamFrames, one MethodResult per method.</summary>
internal static class RemoteCompare
{
    public static async Task<int> RunAsync(
        string server, string imagePath, string? model, ExplainSettings settings, string outputDirectory,
        TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken ct)
    {
        if (!File.Exists(imagePath))
        {
            await stderr.WriteLineAsync($"error: image not found: {imagePath}");
            return CliApp.ExitFailure;
        }

        var options = new ExplainOptions
        {
            CompareMethods = true,
            TargetLayer = settings.TargetLayer ?? "",
            FrameCount = settings.FrameCount,
            Baseline = ContractOptions.Baseline(settings.Baseline),
            MaxFrameSide = settings.MaxFrameSide,
        };
        if (settings.TargetClass is { } targetClass)
        {
            options.TargetClass = targetClass;
        }

        var image = await File.ReadAllBytesAsync(imagePath, ct);
        using var channel = ServerConnection.Open(server);
        var client = new SaliencySliderService.SaliencySliderServiceClient(channel);
        var progress = new ProgressDisplay(stderr, interactive);
        try
        {
            var submitted = await client.SubmitAsync(
                new SubmitRequest { Image = ByteString.CopyFrom(image), Model = model ?? "", Options = options }, cancellationToken: ct);
            await stderr.WriteLineAsync($"job {submitted.JobId}{(submitted.Cached ? " (cached)" : "")}");
            var writer = new ComparisonWriter(imagePath, outputDirectory, new ComparisonOrigin(model, server, submitted.JobId), ComparisonProtocol.For(settings));
            using var call = client.StreamFrames(new StreamFramesRequest { JobId = submitted.JobId }, cancellationToken: ct);
            await foreach (var response in call.ResponseStream.ReadAllAsync(ct))
            {
                var jobEvent = response.Event;
                switch (jobEvent.EventCase)
                {
                    case JobEvent.EventOneofCase.Status when jobEvent.Status.State == JobState.Failed:
                        progress.Done();
                        await stderr.WriteLineAsync($"error: job {submitted.JobId} failed: {jobEvent.Status.Message}");
                        return CliApp.ExitFailure;
                    case JobEvent.EventOneofCase.Status:
                        progress.Status(jobEvent.Status);
                        break;
                    case JobEvent.EventOneofCase.MethodResult:
                        var result = jobEvent.MethodResult;
                        if (writer.MethodsReceived == 0)
                        {
                            writer.Add(ContractEvents.ComparisonStarted(result));
                        }
                        writer.Add(ContractEvents.MethodCompared(result));
                        progress.Methods(writer.MethodsReceived, result.MethodCount);
                        break;
                    case JobEvent.EventOneofCase.Completed:
                        progress.Done();
                        writer.Add(new ComparisonCompleted(ContractEvents.Timings(jobEvent.Completed.Timings)));
                        writer.Finish();
                        await stdout.WriteAsync(writer.Summary());
                        return CliApp.ExitOk;
                }
            }

            progress.Done();
            await stderr.WriteLineAsync($"error: the stream of job {submitted.JobId} ended before the comparison completed");
            return CliApp.ExitUnavailable;
        }
        catch (RpcException e)
        {
            progress.Done();
            return await ServerConnection.ReportAsync(e, stderr);
        }
    }
}

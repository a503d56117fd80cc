using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Cli.Remote;

/// <summary>`saliency explain IMAGE --server URL`: Submit, then StreamFrames with a progress line.</summary>
internal static class RemoteExplain
{
    public static async Task<int> RunAsync(
        string server, string imagePath, string? model, ExplainOptions options, string outputDirectory,
        TextWriter stdout, TextWriter stderr, bool interactive, CancellationToken ct)
    {
        if (!File.Exists(imagePath))
        {
            await stderr.WriteLineAsync($"error: image not found: {imagePath}");
            return CliApp.ExitFailure;
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
            var writer = new ResultWriter(imagePath, outputDirectory, new RemoteSource(server, submitted.JobId));
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
                    case JobEvent.EventOneofCase.Progress:
                        progress.Progress(jobEvent.Progress);
                        break;
                    case JobEvent.EventOneofCase.Explanation:
                        writer.Add(ContractEvents.Ready(jobEvent.Explanation));
                        progress.Frames(0, writer.FrameCount);
                        break;
                    case JobEvent.EventOneofCase.Frame:
                        writer.Add(ContractEvents.Frame(jobEvent.Frame, options.DeletionCurve));
                        progress.Frames(writer.FramesReceived, writer.FrameCount);
                        break;
                    case JobEvent.EventOneofCase.Completed:
                        progress.Done();
                        writer.Add(ContractEvents.Completed(jobEvent.Completed, options.DeletionCurve));
                        writer.Finish(queueMs: jobEvent.Completed.Timings.QueueMs);
                        await stdout.WriteAsync(writer.Summary());
                        return CliApp.ExitOk;
                }
            }

            progress.Done();
            await stderr.WriteLineAsync($"error: the stream of job {submitted.JobId} ended before the job completed");
            return CliApp.ExitUnavailable;
        }
        catch (RpcException e)
        {
            progress.Done();
            return await ServerConnection.ReportAsync(e, stderr);
        }
    }
}

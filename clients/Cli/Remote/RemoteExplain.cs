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
        var client = new Contracts.V1.SaliencySlider.SaliencySliderClient(channel);
        var progress = new ProgressDisplay(stderr, interactive);
        try
        {
            var submitted = await client.SubmitAsync(
                new SubmitRequest { Image = ByteString.CopyFrom(image), Model = model ?? "", Options = options }, cancellationToken: ct);
            await stderr.WriteLineAsync($"job {submitted.JobId}{(submitted.Cached ? " (cached)" : "")}");
            var writer = new ResultWriter(imagePath, outputDirectory, new RemoteSource(server, submitted.JobId));
            using var call = client.StreamFrames(new StreamFramesRequest { JobId = submitted.JobId }, cancellationToken: ct);
            await foreach (var frameEvent in call.ResponseStream.ReadAllAsync(ct))
            {
                switch (frameEvent.EventCase)
                {
                    case FrameEvent.EventOneofCase.Status when frameEvent.Status.State == JobState.Failed:
                        progress.Done();
                        await stderr.WriteLineAsync($"error: job {submitted.JobId} failed: {frameEvent.Status.Message}");
                        return CliApp.ExitFailure;
                    case FrameEvent.EventOneofCase.Status:
                        progress.Status(frameEvent.Status);
                        break;
                    case FrameEvent.EventOneofCase.Explanation:
                        writer.Add(ContractEvents.Ready(frameEvent.Explanation));
                        progress.Frames(0, writer.FrameCount);
                        break;
                    case FrameEvent.EventOneofCase.Frame:
                        writer.Add(ContractEvents.Frame(frameEvent.Frame, options.DeletionCurve));
                        progress.Frames(writer.FramesReceived, writer.FrameCount);
                        break;
                    case FrameEvent.EventOneofCase.Completed:
                        progress.Done();
                        writer.Add(ContractEvents.Completed(frameEvent.Completed, options.DeletionCurve));
                        writer.Finish(queueMs: frameEvent.Completed.Timings.QueueMs);
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

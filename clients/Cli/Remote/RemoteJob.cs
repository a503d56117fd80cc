using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Cli.Remote;

/// <summary>What a remote command does with its job's events: everything but statuses, failure and the end of the stream.</summary>
internal interface IRemoteJobOutput
{
    /// <summary>The job was accepted (or found in the cache) under <paramref name="jobId"/>.</summary>
    void Started(string jobId);

    /// <summary>An event of the job's result (explanation, frame, method result).</summary>
    void Add(JobEvent jobEvent, ProgressDisplay progress);

    /// <summary>The job completed: write what is left and print the summary.</summary>
    Task CompleteAsync(Completed completed);
}

/// <summary>A remote command's job: Submit the image, then StreamFrames with a progress line on stderr until Completed.</summary>
internal static class RemoteJob
{
    public static async Task<int> RunAsync(
        string server, string imagePath, string? model, ExplainOptions options, IRemoteJobOutput output,
        TextWriter stderr, bool interactive, CancellationToken ct)
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
            output.Started(submitted.JobId);
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
                    case JobEvent.EventOneofCase.Completed:
                        progress.Done();
                        await output.CompleteAsync(jobEvent.Completed);
                        return CliApp.ExitOk;
                    default:
                        output.Add(jobEvent, progress);
                        break;
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

using SaliencySlider.Shared.Jobs;
using System.CommandLine;
using System.Globalization;
using Grpc.Core;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Cli.Remote;

/// <summary>`saliency models --server URL` and `saliency job ID --server URL`.</summary>
internal static class ServerCommands
{
    public static Option<string?> ServerOption(bool required) => new("--server")
    {
        Description = "Gateway address, host:port (native gRPC) or http(s)://host:port; default: $SALIENCY_SERVER" + (required ? "" : "; without it, explain runs locally"),
        HelpName = "URL",
        DefaultValueFactory = _ => Environment.GetEnvironmentVariable("SALIENCY_SERVER") is { Length: > 0 } server ? server : null,
    };

    public static Command Models(TextWriter stdout, TextWriter stderr)
    {
        var server = ServerOption(required: true);
        var command = new Command("models", "List the models a server serves") { server };
        command.SetAction(async (parse, ct) => await CallAsync(parse.GetValue(server), stderr, async client =>
        {
            var response = await client.ListModelsAsync(new ListModelsRequest(), cancellationToken: ct);
            foreach (var model in response.Models)
            {
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{model.Name}{(model.IsDefault ? " (default)" : "")}  {model.InputWidth}x{model.InputHeight}  {model.Classes} classes  layer {model.DefaultLayer}  {(model.ExecutionProvider.Length > 0 ? model.ExecutionProvider : "no worker seen")}"));
                if (model.Description.Length > 0)
                {
                    await stdout.WriteLineAsync("    " + model.Description);
                }
            }
        }));
        return command;
    }

    public static Command Job(TextWriter stdout, TextWriter stderr)
    {
        var jobId = new Argument<string>("ID") { Description = "Job id (from explain or Submit)" };
        var server = ServerOption(required: true);
        var command = new Command("job", "Show a job's state, prediction and timings") { jobId, server };
        command.SetAction(async (parse, ct) => await CallAsync(parse.GetValue(server), stderr, async client =>
        {
            var job = (await client.GetJobAsync(new GetJobRequest { JobId = parse.GetValue(jobId)! }, cancellationToken: ct)).Job;
            await stdout.WriteLineAsync($"job       {job.JobId}");
            await stdout.WriteLineAsync($"state     {job.State.ToString().ToUpperInvariant()}");
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"model     {job.Model}"));
            await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"frames    {job.FramesReady}/{job.FrameCount}, attempts {job.Attempts}"));
            if (job.Prediction is { Top.Count: > 0 } prediction)
            {
                var top1 = prediction.Top[0];
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"top-1     {top1.Index} {top1.Label} p={top1.Probability:0.0000}"));
            }

            if (job.Error.Length > 0)
            {
                await stdout.WriteLineAsync($"error     {job.Error}");
            }

            if (job.Timings is { } timings)
            {
                await stdout.WriteLineAsync(ResultWriter.TimingsLine(ContractTimings.ToEngine(timings), timings.QueueMs));
            }
        }));
        return command;
    }

    private static async Task<int> CallAsync(string? server, TextWriter stderr, Func<SaliencySliderService.SaliencySliderServiceClient, Task> call)
    {
        if (string.IsNullOrEmpty(server))
        {
            await stderr.WriteLineAsync("error: --server is required (or set SALIENCY_SERVER)");
            return CliApp.ExitUsage;
        }

        try
        {
            using var channel = ServerConnection.Open(server);
            await call(new SaliencySliderService.SaliencySliderServiceClient(channel));
            return CliApp.ExitOk;
        }
        catch (RpcException e)
        {
            return await ServerConnection.ReportAsync(e, stderr);
        }
        catch (ArgumentException e)
        {
            await stderr.WriteLineAsync($"error: {e.Message}");
            return CliApp.ExitUsage;
        }
    }
}

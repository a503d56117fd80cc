using System.CommandLine;
using SaliencySlider.Shared.Configuration;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Cli;

/// <summary>
/// `saliency queue-streams --shards N`: prints the queue stream of each shard, one a line, as the services name
/// them for Queue:Stream and Queue:Shards (e.g. for the KEDA triggers of a Redis Cluster deployment).
/// </summary>
internal static class QueueStreamsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var defaults = new QueueOptions();
        var shards = new Option<int>("--shards") { Description = "Queue:Shards", Required = true };
        var stream = new Option<string>("--stream") { Description = "Queue:Stream", DefaultValueFactory = _ => defaults.Stream };
        var command = new Command("queue-streams", "Print the job queue stream of every shard (Queue:Shards) as the services name them")
        {
            shards,
            stream,
        };
        command.SetAction(async (parse, ct) =>
        {
            var count = parse.GetValue(shards);
            if (count is < 1 or > QueueOptions.MaxShards)
            {
                await stderr.WriteLineAsync($"error: --shards must be between 1 and {QueueOptions.MaxShards}");
                return CliApp.ExitFailure;
            }

            var keys = new JobKeys(JobKeys.DefaultPrefix, new QueueOptions { Stream = parse.GetValue(stream)!, Shards = count });
            for (var shard = 0; shard < count; shard++)
            {
                await stdout.WriteLineAsync((string?)keys.Queue(shard));
            }

            return CliApp.ExitOk;
        });
        return command;
    }
}

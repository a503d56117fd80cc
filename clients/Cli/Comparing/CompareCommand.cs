using System.CommandLine;
using SaliencySlider.Cli.Remote;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;

namespace SaliencySlider.Cli.Comparing;

/// <summary>
/// `saliency compare IMAGE [--server HOST:PORT] [--model M] --out DIR`: every CAM method on one image (in-process, or as
/// a comparison job on a server), a ranked table on stdout, compare.json and heatmaps/METHOD.png in DIR.
/// </summary>
internal static class CompareCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var image = new Argument<string>("IMAGE") { Description = "Image to explain (JPEG, PNG, WebP, GIF or BMP)" };
        var options = new ComparisonOptions();
        var output = new Option<string>("--out") { Description = "Output folder", DefaultValueFactory = _ => "saliency-compare", HelpName = "DIR" };
        var server = ServerCommands.ServerOption(required: false);
        var command = new Command("compare", "Compare every CAM method on IMAGE: insertion and deletion AUCs, sufficiency point, one heatmap each; writes compare.json and heatmaps/ to DIR");
        foreach (var option in options.Shared)
        {
            command.Options.Add(option);
        }
        command.Options.Add(options.MaxSide);
        command.Arguments.Add(image);
        command.Options.Add(output);
        command.Options.Add(server);
        command.SetAction(async (parse, ct) =>
        {
            var imagePath = parse.GetValue(image)!;
            var outputDirectory = parse.GetValue(output)!;
            var settings = options.Settings(parse);
            if (parse.GetValue(server) is { Length: > 0 } serverAddress)
            {
                if (parse.GetValue(options.Methods) is { Length: > 0 })
                {
                    await stderr.WriteLineAsync("error: --methods applies to in-process runs; a server compares every method it has");
                    return CliApp.ExitUsage;
                }
                return await RemoteCompare.RunAsync(serverAddress, imagePath, parse.GetValue(options.Model), settings, outputDirectory,
                    stdout, stderr, interactive: ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected, ct);
            }

            try
            {
                if (!File.Exists(imagePath))
                {
                    throw new FileNotFoundException($"image not found: {imagePath}");
                }
                var bytes = await File.ReadAllBytesAsync(imagePath, ct);
                ImageDecoder.Identify(bytes);
                var methods = options.MethodKinds(parse);
                var comparer = options.LoadComparer(parse, settings);
                using var model = comparer.Explainer.Model;
                var writer = new ComparisonWriter(imagePath, outputDirectory, new ComparisonOrigin(model.Name, null, null), ComparisonProtocol.For(settings));
                await foreach (var comparisonEvent in comparer.CompareAsync(bytes, settings, methods, ct))
                {
                    writer.Add(comparisonEvent);
                }
                writer.Finish();
                await stdout.WriteAsync(writer.Summary());
                return CliApp.ExitOk;
            }
            catch (Exception e) when (ExplainCommand.IsInputError(e))
            {
                await stderr.WriteLineAsync($"error: {ExplainCommand.OneLine(e.Message)}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }
}

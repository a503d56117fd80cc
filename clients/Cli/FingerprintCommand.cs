using System.CommandLine;
using Google.Protobuf;
using Onnx;
using SaliencySlider.Cli.ModelImport;

namespace SaliencySlider.Cli;

/// <summary>`saliency fingerprint FILE.onnx`: prints the SHA-256 of what the model computes (see <see cref="ModelFingerprint"/>).</summary>
internal static class FingerprintCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var file = new Argument<string>("FILE") { Description = "ONNX model" };
        var command = new Command("fingerprint", "Print a hash of the model's content (graph, weights) that ignores names, metadata and serialization details")
        {
            file,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var model = ModelProto.Parser.ParseFrom(await File.ReadAllBytesAsync(parse.GetValue(file)!, ct));
                await stdout.WriteLineAsync(ModelFingerprint.Compute(model));
                return CliApp.ExitOk;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or InvalidProtocolBufferException or UnauthorizedAccessException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }
}

using System.CommandLine;
using Google.Protobuf;
using SaliencySlider.Cli.ModelImport;

namespace SaliencySlider.Cli;

/// <summary>`saliency import-tflite SOURCE.tflite --out FILE.onnx`: converts a TFLite classifier to the float32 ONNX the engine runs.</summary>
internal static class ImportTfliteCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var source = new Argument<string>("SOURCE") { Description = "TFLite model (.tflite), float or quantized" };
        var output = new Option<string>("--out") { Description = "ONNX file to write", Required = true, HelpName = "FILE" };
        var dropLeading = new Option<int>("--drop-leading-classes")
        {
            Description = "Remove this many classes from the front of the logits (1 for a 1001-way head with a background class)",
            HelpName = "N",
        };
        var name = new Option<string?>("--name") { Description = "Graph name; default: the source file's name without extension", HelpName = "NAME" };
        var expect = new Option<string?>("--expect-fingerprint")
        {
            Description = "Write nothing and fail unless the converted model has this fingerprint (see `saliency fingerprint`)",
            HelpName = "HEX",
        };
        var command = new Command("import-tflite", "Convert a TFLite image classifier to a float32 ONNX model (NCHW, opset 13) with a `logits` output")
        {
            source,
            output,
            dropLeading,
            name,
            expect,
        };
        command.SetAction(async (parse, ct) =>
        {
            var sourcePath = parse.GetValue(source)!;
            var path = parse.GetValue(output)!;
            var partial = path + ".partial";
            try
            {
                var options = new TfliteImportOptions { DropLeadingClasses = parse.GetValue(dropLeading), GraphName = parse.GetValue(name) };
                var model = TfliteToOnnxConverter.Convert(await File.ReadAllBytesAsync(sourcePath, ct), sourcePath, options);
                var fingerprint = ModelFingerprint.Compute(model);
                if (parse.GetValue(expect) is { } expected && !string.Equals(expected.Trim(), fingerprint, StringComparison.OrdinalIgnoreCase))
                {
                    await stderr.WriteLineAsync($"error: fingerprint mismatch: expected {expected.Trim()}, got {fingerprint}");
                    return CliApp.ExitFailure;
                }
                await File.WriteAllBytesAsync(partial, model.ToByteArray(), ct);
                File.Move(partial, path, overwrite: true);
                await stdout.WriteLineAsync($"wrote {path}: {model.Graph.Node.Count} nodes, fingerprint {fingerprint}");
                return CliApp.ExitOk;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException)
            {
                if (File.Exists(partial))
                {
                    File.Delete(partial);
                }
                await stderr.WriteLineAsync($"error: {e.Message}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }
}

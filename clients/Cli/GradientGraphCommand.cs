using System.CommandLine;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Cli;

/// <summary>`saliency gradient-graph --out FILE.onnx`: writes the model with its in-graph backward pass, e.g. to inspect it in Netron.</summary>
internal static class GradientGraphCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var model = new Option<string?>("--model") { Description = "Model manifest (.json), .onnx file or model name; default: mobilenet_v2_1.0_224", HelpName = "MANIFEST_OR_ONNX" };
        var layer = new Option<string?>("--layer") { Description = "Tensor to differentiate; default: the model's target layer", HelpName = "TENSOR" };
        var output = new Option<string>("--out") { Description = "File to write", Required = true, HelpName = "FILE" };
        var command = new Command("gradient-graph", "Write the ONNX model with the backward pass from the logits to a target layer appended (one run returns logits, activations and gradients)")
        {
            model,
            layer,
            output,
        };
        command.SetAction(async (parse, ct) =>
        {
            try
            {
                var entry = ModelLocator.Resolve(parse.GetValue(model));
                using var classifier = ClassifierModel.Load(entry.OnnxPath, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu });
                var targetLayer = parse.GetValue(layer) ?? entry.Manifest.TargetLayer ?? classifier.DefaultTargetLayer;
                var path = parse.GetValue(output)!;
                await File.WriteAllBytesAsync(path, classifier.GradientModelBytes(targetLayer), ct);
                await stdout.WriteLineAsync($"wrote {path}: {entry.Name}, target layer {targetLayer} {string.Join('×', classifier.TensorShape(targetLayer))}");
                return CliApp.ExitOk;
            }
            catch (Exception e) when (e is IOException or InvalidDataException or ArgumentException or UnauthorizedAccessException
                or Engine.Explaining.UnsupportedModelException)
            {
                await stderr.WriteLineAsync($"error: {e.Message}");
                return CliApp.ExitFailure;
            }
        });
        return command;
    }
}

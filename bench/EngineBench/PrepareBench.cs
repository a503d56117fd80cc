using System.Diagnostics;
using System.Globalization;
using System.Text;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Rendering;

namespace SaliencySlider.EngineBench;

/// <summary>
/// The prepare stage (<see cref="Explainer.Prepare"/>) step by step on each photo, fastest of
/// <see cref="BenchOptions.StageRuns"/>: what the time before a job's gradient run is spent on.
/// </summary>
internal static class PrepareBench
{
    private static readonly string[] Steps = ["decode, whole image", "decode", "model-input resample", "display resample", "blurred baselines", "tensors", "whole Prepare"];

    public static string Run(ModelEntry entry, BenchOptions options, IReadOnlyList<string> images)
    {
        using var model = ExplainerModel.Load(entry, new ClassifierModelOptions { Provider = ExecutionProviderPreference.Cpu, IntraOpThreads = options.Threads });
        var explainer = new Explainer(model);
        var manifest = model.Manifest;
        var settings = new ExplainSettings();
        var s = new StringBuilder();
        s.AppendLine(Invariant($"The prepare stage step by step (fastest of {options.StageRuns} runs each, default model, default settings: ≤ {settings.MaxFrameSide} px display, {settings.Baseline} baseline):"));
        s.AppendLine();
        s.AppendLine("| image | pixels | decoded at | " + string.Join(" | ", Steps.Select(step => step + " ms")) + " |");
        s.AppendLine("|---|---:|---:|" + string.Concat(Enumerable.Repeat("---:|", Steps.Length)));
        foreach (var (name, bytes) in images.Select(path => (Path.GetFileName(path), File.ReadAllBytes(path))).Append(Enlarged(options.Image, 4032)))
        {
            RgbaImage? whole = null;
            var best = new double[Steps.Length];
            Array.Fill(best, double.MaxValue);
            RgbaImage? decoded = null;
            for (var run = 0; run < options.StageRuns + 1; run++)
            {
                var laps = new double[Steps.Length];
                var clock = Stopwatch.StartNew();
                whole = ImageDecoder.Decode(bytes);
                laps[0] = Lap(clock);
                var image = ImageDecoder.Decode(bytes, (width, height) => Explainer.DecodeScale(width, height, manifest, settings.MaxFrameSide));
                laps[1] = Lap(clock);
                var view = ModelView.For(image, manifest);
                var input = ImageResampler.Resample(image, view, manifest.InputWidth, manifest.InputHeight);
                laps[2] = Lap(clock);
                var (width, height) = ImageResampler.FitWithin(view.Width, view.Height, settings.MaxFrameSide);
                var display = ImageResampler.Resample(image, view, width, height);
                laps[3] = Lap(clock);
                var inputBaseline = Explainer.Baseline(input, settings.Baseline);
                _ = Explainer.Baseline(display, settings.Baseline);
                laps[4] = Lap(clock);
                _ = TensorConverter.ToTensor(input, manifest);
                _ = TensorConverter.ToTensor(inputBaseline, manifest);
                laps[5] = Lap(clock);
                _ = explainer.Prepare(bytes, settings);
                laps[6] = Lap(clock);
                decoded = image;
                if (run == 0)
                {
                    continue; // warm-up
                }
                for (var i = 0; i < laps.Length; i++)
                {
                    best[i] = Math.Min(best[i], laps[i]);
                }
            }
            s.AppendLine(Invariant($"| {name} | {whole!.Width}×{whole.Height} | {decoded!.Width}×{decoded.Height} | ") + string.Join(" | ", best.Select(ms => Invariant($"{ms:F1}"))) + " |");
        }
        return s.ToString();
    }

    /// <summary>A phone-sized photo: the bench photo enlarged to a long side of <paramref name="longSide"/> px, as a q92 JPEG.</summary>
    private static (string Name, byte[] Bytes) Enlarged(string path, int longSide)
    {
        var image = ImageDecoder.Decode(File.ReadAllBytes(path));
        var scale = (double)longSide / Math.Max(image.Width, image.Height);
        var (width, height) = ((int)Math.Round(image.Width * scale), (int)Math.Round(image.Height * scale));
        var large = ImageResampler.Resample(image, ModelView.WholeImage(image), width, height);
        return (Invariant($"{Path.GetFileName(path)} enlarged to {longSide} px, JPEG q92"), ImageEncoder.Encode(large, FrameFormat.Jpeg, 92));
    }

    private static double Lap(Stopwatch clock)
    {
        var ms = clock.Elapsed.TotalMilliseconds;
        clock.Restart();
        return ms;
    }

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

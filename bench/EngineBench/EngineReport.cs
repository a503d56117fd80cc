using System.Globalization;
using System.Text;

namespace SaliencySlider.EngineBench;

/// <summary>The engine section of docs/PERFORMANCE.md: machine, command, date and every measured number.</summary>
internal sealed class EngineReport(
    BenchOptions options,
    TorchBaseline? torch,
    IReadOnlyList<ModelResult> results,
    IReadOnlyList<(string Codec, double Ms, int Bytes)> codecs,
    IReadOnlyList<(int Threads, double ForwardMs, double GradientMs, double FramesMs)> threads,
    IReadOnlyList<(int Batch, double MsPerImage)> batches,
    (double Prepare, double Cam, double Heatmap, double RenderFrame)? bestStages,
    string prepareSteps)
{
    public string Markdown()
    {
        var s = new StringBuilder();
        s.AppendLine(MachineInfo.GeneratedBy(options.Command, options.Repository));
        s.AppendLine();
        s.AppendLine(Invariant($"Machine: {MachineInfo.Describe()}; load average before the run: {MachineInfo.LoadAverage()}."));
        s.AppendLine(Invariant($"Settings: intra-op threads {options.Threads} (engine and PyTorch), F = {options.Frames} frames, image `{Path.GetFileName(options.Image)}`, medians of {options.Repeats} runs ({options.RepeatsFor("vgg")} for VGG; frame batch, rendering and whole job: half as many) after {options.Warmup} warm-up runs.{(options.Short ? " **Short mode** (the test suite's check that the bench runs): too few runs to quote." : "")}"));
        if (torch is not null)
        {
            s.AppendLine(Invariant($"Baseline: PyTorch {torch.TorchVersion} (Debian, CPU), torchvision models with random weights (seed 0), exported to ONNX and run by the engine with the same weights."));
        }
        s.AppendLine("Forward, gradient run, frame batch and rendering are timed alone with ONNX Runtime's own default (intra-op threads spin-wait between runs, its fastest for back-to-back runs); the compute floor is gradient run + frame batch. Whole jobs run with the engine's configuration (no spinning: the job's CPU work shares the cores).");
        s.AppendLine();
        s.AppendLine("| model | forward ms | gradient run ms | gradient ÷ forward | F-frame batch ms | render+encode ms/frame | whole job ms | compute floor ms | job ÷ floor | first frame ms | first frame ÷ job |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            s.AppendLine(Invariant($"| {r.Model} | {r.Forward.Median:F1} | {r.Gradient.Median:F1} | {r.Gradient.Median / r.Forward.Median:F2} | {r.FrameBatch.Median:F1} | {r.RenderPerFrame.Median:F2} | {r.Job.Median:F1} | {r.ComputeFloorMs:F1} | {r.Job.Median / r.ComputeFloorMs:F2} | {r.FirstFrame.Median:F1} | {r.FirstFrame.Median / r.Job.Median:F2} |"));
        }
        s.AppendLine();
        s.AppendLine("The same ratios from the fastest run of each measurement (less sensitive to other processes on a shared machine):");
        s.AppendLine();
        s.AppendLine("| model | gradient ÷ forward | job ÷ floor | first frame ÷ job |");
        s.AppendLine("|---|---:|---:|---:|");
        foreach (var r in results)
        {
            var floor = r.Gradient.Percentile(0) + r.FrameBatch.Percentile(0);
            s.AppendLine(Invariant($"| {r.Model} | {r.Gradient.Percentile(0) / r.Forward.Percentile(0):F2} | {r.Job.Percentile(0) / floor:F2} | {r.FirstFrame.Percentile(0) / r.Job.Percentile(0):F2} |"));
        }
        if (bestStages is { } b)
        {
            s.AppendLine();
            s.AppendLine(Invariant($"CPU-side stages on the default model, fastest of {options.StageRuns}: decode + prepare {b.Prepare:F1} ms, CAM + rankings {b.Cam:F1} ms, heatmap PNG {b.Heatmap:F1} ms, one frame composed + encoded {b.RenderFrame:F2} ms."));
        }
        s.AppendLine();
        s.Append(prepareSteps);
        s.AppendLine();
        s.AppendLine("Where a job's time goes (the engine's own stage timings, medians over the timed jobs; frame inference overlaps rendering, so stages can add up to more than the job):");
        s.AppendLine();
        s.AppendLine("| model | decode+prepare ms | gradient run ms | CAM ms | frame inference ms | render+encode ms (frames + heatmap PNG) | total ms |");
        s.AppendLine("|---|---:|---:|---:|---:|---:|---:|");
        foreach (var r in results)
        {
            var t = r.JobStages;
            s.AppendLine(Invariant($"| {r.Model} | {t.DecodeMs:F1} | {t.GradientMs:F1} | {t.CamMs:F1} | {t.FramesInferenceMs:F1} | {t.RenderMs:F1} | {t.TotalMs:F1} |"));
        }
        if (torch is not null)
        {
            s.AppendLine();
            s.AppendLine("Against PyTorch (same architecture and weights, same input tensor, same thread count; ratio < 1 means the engine is faster). "
                + "PyTorch's Grad-CAM is timed twice: as `pytorch-grad-cam` runs it (parameters that take gradients, so autograd also computes every weight's gradient) "
                + "and with the parameters frozen (`requires_grad_(False)`, the target layer's output made the leaf of the backward pass: "
                + "autograd runs from the logit back to that layer only, the work the engine's gradient run does). The frozen ratio compares the method; the other one the method and the runtime as people use it:");
            s.AppendLine();
            s.AppendLine("| model | PyTorch forward ms | PyTorch Grad-CAM ms | PyTorch Grad-CAM, parameters frozen, ms | engine gradient run ms | engine ÷ PyTorch (Grad-CAM) | engine ÷ PyTorch (Grad-CAM, frozen) | PyTorch F-frame batch ms | engine F-frame batch ms | engine ÷ PyTorch (frames) | Grad-CAM ratio, fastest runs | frozen ratio, fastest runs | frames ratio, fastest runs | CAM cosine | CAM max rel. error | same top-1 |");
            s.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|");
            foreach (var r in results.Where(r => r.Agreement is not null))
            {
                var t = torch.Models[r.Model];
                var torchGradCam = Samples.MedianOf(t.GradCamMs);
                var torchFrozen = Samples.MedianOf(t.GradCamFrozenMs);
                var torchFrames = Samples.MedianOf(t.FramesMs);
                var a = r.Agreement!;
                s.AppendLine(Invariant($"| {r.Model} | {Samples.MedianOf(t.ForwardMs):F1} | {torchGradCam:F1} | {torchFrozen:F1} | {r.Gradient.Median:F1} | {r.Gradient.Median / torchGradCam:F2} | {r.Gradient.Median / torchFrozen:F2} | {torchFrames:F1} | {r.FrameBatch.Median:F1} | {r.FrameBatch.Median / torchFrames:F2} | {r.Gradient.Percentile(0) / t.GradCamMs.Min():F2} | {r.Gradient.Percentile(0) / t.GradCamFrozenMs.Min():F2} | {r.FrameBatch.Percentile(0) / t.FramesMs.Min():F2} | {a.Cosine:F6} | {a.MaxRelativeError:E1} | {(a.SameTopClass ? "yes" : "no")} |"));
            }
            if (torch.Models.TryGetValue("mobilenet_v2", out var mobilenet))
            {
                var shared = results[0];
                s.AppendLine();
                s.AppendLine(Invariant($"Default model (`{shared.Model}`, the shared TF-slim MobileNetV2) against PyTorch's torchvision `mobilenet_v2` (same architecture family, different weights and padding): engine gradient run {shared.Gradient.Median:F1} ms ÷ PyTorch Grad-CAM {Samples.MedianOf(mobilenet.GradCamMs):F1} ms = **{shared.Gradient.Median / Samples.MedianOf(mobilenet.GradCamMs):F2}** (fastest runs: {shared.Gradient.Percentile(0):F1} ÷ {mobilenet.GradCamMs.Min():F1} = {shared.Gradient.Percentile(0) / mobilenet.GradCamMs.Min():F2}); with PyTorch's parameters frozen: ÷ {Samples.MedianOf(mobilenet.GradCamFrozenMs):F1} ms = **{shared.Gradient.Median / Samples.MedianOf(mobilenet.GradCamFrozenMs):F2}**."));
            }
        }
        s.AppendLine();
        s.AppendLine("Frame encoders (Skia, one display frame, median of 15):");
        s.AppendLine();
        s.AppendLine("| codec | ms | bytes |");
        s.AppendLine("|---|---:|---:|");
        foreach (var (codec, ms, bytes) in codecs)
        {
            s.AppendLine(Invariant($"| {codec} | {ms:F2} | {bytes} |"));
        }
        s.AppendLine();
        s.AppendLine(Invariant($"Intra-op threads on the default model (single process):"));
        s.AppendLine();
        s.AppendLine("| threads | forward ms | gradient run ms | F-frame forward ms |");
        s.AppendLine("|---:|---:|---:|---:|");
        foreach (var (count, forward, gradient, frames) in threads)
        {
            s.AppendLine(Invariant($"| {count} | {forward:F1} | {gradient:F1} | {frames:F1} |"));
        }
        s.AppendLine();
        s.AppendLine("Forward time per image by batch size on the default model (chooses the frame chunk size):");
        s.AppendLine();
        s.AppendLine("| batch | ms per image |");
        s.AppendLine("|---:|---:|");
        foreach (var (batch, msPerImage) in batches)
        {
            s.AppendLine(Invariant($"| {batch} | {msPerImage:F1} |"));
        }
        s.AppendLine();
        s.AppendLine("Raw samples (ms):");
        s.AppendLine();
        s.AppendLine("```");
        foreach (var r in results)
        {
            foreach (var samples in new[] { r.Forward, r.Gradient, r.FrameBatch, r.RenderPerFrame, r.Job, r.FirstFrame })
            {
                s.AppendLine(Invariant($"{r.Model} {samples.Name}: {string.Join(" ", samples.Milliseconds.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)))}"));
            }
        }
        if (torch is not null)
        {
            foreach (var (name, t) in torch.Models)
            {
                s.AppendLine(Invariant($"torch {name} forward: {Join(t.ForwardMs)}"));
                s.AppendLine(Invariant($"torch {name} gradcam: {Join(t.GradCamMs)}"));
                s.AppendLine(Invariant($"torch {name} gradcam, parameters frozen: {Join(t.GradCamFrozenMs)}"));
                s.AppendLine(Invariant($"torch {name} frames: {Join(t.FramesMs)}"));
            }
        }
        s.AppendLine("```");
        return s.ToString();
    }

    private static string Join(IEnumerable<double> values) => string.Join(" ", values.Select(v => v.ToString("F1", CultureInfo.InvariantCulture)));

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}

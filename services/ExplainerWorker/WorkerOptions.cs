using System.ComponentModel.DataAnnotations;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.ExplainerWorker;

/// <summary>Section "Worker".</summary>
public sealed class WorkerOptions
{
    public const string Section = "Worker";

    /// <summary>Jobs computed at the same time by this process (one queue consumer each).</summary>
    [Range(1, int.MaxValue)]
    public int Concurrency { get; set; } = 1;

    /// <summary>Auto (CUDA when it loads, else CPU), Cpu or Cuda.</summary>
    public ExecutionProviderPreference ExecutionProvider { get; set; } = ExecutionProviderPreference.Auto;

    /// <summary>ONNX Runtime intra-op threads per session; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; set; }

    /// <summary>
    /// Per model, gradient sessions kept for target layers other than the default (each holds the model's weights
    /// again); past this many the least recently used is dropped and built again when asked for.
    /// </summary>
    [Range(0, 1000)]
    public int GradientSessions { get; set; } = ClassifierModelOptions.DefaultGradientSessions;

    /// <summary>Most images in one classifier run of slider frames; 0 keeps the engine's default.</summary>
    public int BatchSize { get; set; }

    /// <summary>Frames rendered at once per model, shared by the concurrent jobs; 0: 1 on CPU, every core but one on CUDA.</summary>
    public int RenderThreads { get; set; }

    /// <summary>Consumer name in the queue's group (a slot number is appended); empty: host name and process id.</summary>
    public string ConsumerName { get; set; } = "";

    /// <summary>Port of the worker's HTTP listener: /metrics (Prometheus), /healthz (liveness), /readyz (readiness); 0 picks a free port.</summary>
    [Range(0, 65535)]
    public int MetricsPort { get; set; } = 9090;

    /// <summary>How long a stopping worker lets its current jobs finish before handing them back to the queue.</summary>
    public TimeSpan ShutdownTimeout { get; set; } = TimeSpan.FromSeconds(30);
}

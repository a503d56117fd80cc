using System.Security.Cryptography;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.Engine.Inference;

/// <summary>Which ONNX Runtime execution provider a model runs on.</summary>
public enum ExecutionProviderPreference
{
    /// <summary>CUDA when the native CUDA provider loads, otherwise CPU.</summary>
    Auto,
    Cpu,
    Cuda,
}

public sealed record ClassifierModelOptions
{
    public ExecutionProviderPreference Provider { get; init; } = ExecutionProviderPreference.Auto;

    /// <summary>ONNX Runtime intra-op threads; 0 lets ONNX Runtime decide.</summary>
    public int IntraOpThreads { get; init; }

    /// <summary>
    /// Whether ONNX Runtime's intra-op threads spin-wait for work after a run (its own default) instead of sleeping.
    /// Off: a job renders, encodes and computes its CAM on the same cores between and alongside its runs, and the
    /// spinning threads took those cores (on 2 cores a job's first frame came 10–30 ms later; docs/PERFORMANCE.md).
    /// </summary>
    public bool IntraOpSpinning { get; init; }

    /// <summary>ONNX Runtime graph optimisation level of every session.</summary>
    public GraphOptimizationLevel OptimizationLevel { get; init; } = GraphOptimizationLevel.ORT_ENABLE_ALL;

    /// <summary>CUDA device to run on when the CUDA provider is used.</summary>
    public int CudaDeviceId { get; init; }

    /// <summary>
    /// Lets cuDNN/cuBLAS use TF32 tensor cores. Off by default: TF32 rounds to 10 mantissa bits, which moved
    /// the H100's gradients of a middle MobileNetV2 layer by several percent against fp32 CPU results.
    /// </summary>
    public bool AllowTf32 { get; init; }

    /// <summary>
    /// cuDNN convolution algorithm search: HEURISTIC (default), EXHAUSTIVE or DEFAULT. EXHAUSTIVE benchmarks
    /// every new input shape, which cost seconds per job when frame batches of several sizes alternate.
    /// </summary>
    public string CudnnConvAlgoSearch { get; init; } = "HEURISTIC";

    /// <summary>
    /// <see cref="ClassifierModel.Forward"/> runs batches in pieces of exactly this many images (the last one
    /// zero-padded), so the session sees a single input shape. Null (the default) means 8 on CUDA and off on CPU:
    /// measured on an H100, cuDNN 9 re-plans every convolution whenever the batch shape changes between runs,
    /// which made 21 frames in chunks of varying size take 1.2 s instead of 15 ms. 0 runs each batch as given.
    /// </summary>
    public int? FixedForwardBatch { get; init; }

    /// <summary>
    /// Gradient sessions kept for target layers other than the default (whose sessions are always kept); past this
    /// many the least recently used goes. Each layer a client names needs a session of its own, with its own arena
    /// (about 35 MiB on the default MobileNetV2; the weights are shared, see <see cref="SharedWeights"/>), so this
    /// bounds what clients can make a worker hold.
    /// </summary>
    public int GradientSessions { get; init; } = DefaultGradientSessions;

    public const int DefaultGradientSessions = 4;
}

/// <summary>Logits, target-layer activations and their gradients for one batch, from one session run.</summary>
public sealed class GradientBatch
{
    public required int BatchSize { get; init; }
    public required int ClassCount { get; init; }

    /// <summary>[N, K] scores before softmax.</summary>
    public required float[] Logits { get; init; }

    /// <summary>[N] the class whose score was differentiated (top-1 of the same run unless given).</summary>
    public required int[] TargetClasses { get; init; }

    /// <summary>Shape of one image's activations, e.g. [C, h, w].</summary>
    public required int[] ActivationShape { get; init; }

    /// <summary>[N, ...ActivationShape] activations of the target layer.</summary>
    public required float[] Activations { get; init; }

    /// <summary>[N, ...ActivationShape] d(target score)/d(activations); zeros when run without gradients.</summary>
    public required float[] Gradients { get; init; }
}

/// <summary>
/// An ONNX image classifier prepared for explanation: a plain forward session, and per target layer
/// a session whose graph also returns the target activations and the gradient of the target class's
/// score with respect to them (the backward pass written into the graph).
/// </summary>
public sealed partial class ClassifierModel : IDisposable
{
    private readonly LoadedModel loaded;
    private readonly SharedWeights sharedWeights;
    private readonly OrtSessionFactory sessions;
    private readonly Dictionary<string, TensorFacts> facts;
    private readonly InferenceSession forwardSession;
    private readonly long[] logitsTail;
    private readonly SessionCache<(string Layer, bool Gradients), GradientSession> gradientSessions;
    private readonly ILogger? logger;
    private readonly int fixedForwardBatch;
    private int largestForwardRun;
    private bool disposed;

    private ClassifierModel(byte[] modelBytes, string sha256, ClassifierModelOptions options, ILogger? logger, LoadSteps timings)
    {
        this.logger = logger;
        LoadSteps = timings;
        Sha256 = sha256;
        loaded = Parse(modelBytes, timings);
        sharedWeights = SharedWeights.Of(loaded.Model.Graph);
        sessions = new OrtSessionFactory(options, logger, sharedWeights);
        try
        {
            facts = StaticShapeProbe.Run(loaded, sessions, timings);
            var index = new OnnxGraphIndex(loaded.Model.Graph);

            InputName = loaded.InputName;
            InputChannels = loaded.InputChannels;
            InputHeight = loaded.InputHeight;
            InputWidth = loaded.InputWidth;
            LogitsName = LogitsLocator.Locate(index);
            logitsTail = facts[LogitsName].Shape[1..];
            ClassCount = (int)logitsTail.Aggregate(1L, (a, b) => a * b);
            DefaultTargetLayer = TargetLayerSelector.SelectDefault(index, facts, InputName, LogitsName);
            gradientSessions = new(options.GradientSessions, key => CreateGradientSession(key.Layer, key.Gradients), key => key.Layer == DefaultTargetLayer);
            timings.Lap("graph facts");
            forwardSession = sessions.Create(ForwardModelBytes());
            timings.Lap("forward session");
            ExecutionProvider = sessions.ExecutionProvider;
            SupportsBatching = RunsWithBatchOfTwo();
            timings.Lap("batch check");
            fixedForwardBatch = Math.Max(0, options.FixedForwardBatch ?? (ExecutionProvider == "CUDA" ? 8 : 0));
        }
        catch
        {
            // The pinned weights would otherwise outlive a model that failed to load.
            forwardSession?.Dispose();
            sharedWeights.Dispose();
            throw;
        }

        if (logger is not null)
        {
            InferenceLog.ModelLoaded(logger, InputName, InputChannels, InputHeight, InputWidth, LogitsName, ClassCount, DefaultTargetLayer, SupportsBatching, ExecutionProvider);
        }
    }

    public static ClassifierModel Load(string onnxPath, ClassifierModelOptions? options = null, ILogger? logger = null)
    {
        var timings = new LoadSteps();
        var (bytes, sha256) = timings.Time("read", () =>
        {
            var read = File.ReadAllBytes(onnxPath);
            return (read, HashOf(read));
        });
        return new(bytes, sha256, options ?? new ClassifierModelOptions(), logger, timings);
    }

    public static ClassifierModel Load(byte[] modelBytes, ClassifierModelOptions? options = null, ILogger? logger = null)
        => new(modelBytes, HashOf(modelBytes), options ?? new ClassifierModelOptions(), logger, new LoadSteps());

    /// <summary>
    /// SHA-256 of the model file's bytes as loaded (lowercase hex): the key under which workers publish its tensor
    /// facts. Taken from the bytes read, so it describes this model even if the file is replaced afterwards.
    /// </summary>
    public string Sha256 { get; }

    // Not a lambda in the constructor: its closure would hold the file's bytes for as long as the session cache's
    // factory, which shares that closure, lives (the whole model's size again, for the model's lifetime).
    private static LoadedModel Parse(byte[] modelBytes, LoadSteps timings) => timings.Time("parse", () => OnnxModelLoader.Load(modelBytes));

    private static string HashOf(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));

    /// <summary>How long each step of loading took (reading the file, parsing, the shape probe, the sessions).</summary>
    public LoadSteps LoadSteps { get; }

    public string InputName { get; private set; } = "";
    public int InputChannels { get; private set; }
    public int InputHeight { get; private set; }
    public int InputWidth { get; private set; }
    public int ClassCount { get; private set; }

    /// <summary>The tensor that is explained: the graph's scores before any final Softmax/LogSoftmax.</summary>
    public string LogitsName { get; private set; } = "";

    /// <summary>The layer the graph suggests explaining (see <see cref="TargetLayerSelector.SelectDefault"/>); empty when it has none.</summary>
    public string DefaultTargetLayer { get; private set; } = "";

    /// <summary>"CUDA" or "CPU".</summary>
    public string ExecutionProvider { get; private set; } = "CPU";

    /// <summary>False when the graph only runs with a batch of 1; callers then run images one at a time.</summary>
    public bool SupportsBatching { get; private set; }

    /// <summary>Static shape (batch dimension included, as 1) of any tensor of the graph.</summary>
    public IReadOnlyList<int> TensorShape(string tensorName)
        => facts.TryGetValue(tensorName, out var f)
            ? f.Shape.Select(d => (int)d).ToArray()
            : throw new ArgumentException($"The model has no tensor named '{tensorName}'.", nameof(tensorName));

    /// <summary>Tensors between the input and the logits that read as a grid of more than one cell (NCHW, NHWC or tokens), in graph order.</summary>
    public IReadOnlyList<string> CandidateTargetLayers()
        => TargetLayerSelector.SpatialActivationsOnPath(new OnnxGraphIndex(loaded.Model.Graph), facts, InputName, LogitsName);

    /// <summary>
    /// Shape (batch of 1) and element type of every tensor a node computes, as measured when the model was loaded:
    /// with the graph's own initializers and input, every fact the gradient graph builder reads.
    /// </summary>
    internal IEnumerable<KeyValuePair<string, TensorFacts>> NodeOutputFacts()
    {
        var stated = StaticShapeProbe.BeforeRun(loaded);
        return facts.Where(f => !stated.ContainsKey(f.Key)).OrderBy(f => f.Key, StringComparer.Ordinal);
    }

    /// <summary>Logits [N, K] for a batch of preprocessed NCHW inputs.</summary>
    public float[] Forward(ReadOnlySpan<float> input, int batch)
    {
        var imageSize = RequireInput(input, batch);
        var logits = new float[batch * ClassCount];
        var chunk = !SupportsBatching ? 1 : fixedForwardBatch > 0 ? fixedForwardBatch : batch;
        for (var start = 0; start < batch; start += chunk)
        {
            var count = Math.Min(chunk, batch - start);
            var piece = input.Slice(start * imageSize, count * imageSize);
            var pieceLogits = logits.AsMemory(start * ClassCount, count * ClassCount);
            if (count == chunk || fixedForwardBatch == 0)
            {
                RunForward(piece, count, pieceLogits);
                continue;
            }

            // Pad the last piece so CUDA sessions only ever see one batch shape (see ClassifierModelOptions.FixedForwardBatch).
            var padded = new float[chunk * imageSize];
            piece.CopyTo(padded);
            var paddedLogits = new float[chunk * ClassCount];
            RunForward(padded, chunk, paddedLogits);
            paddedLogits.AsSpan(0, count * ClassCount).CopyTo(pieceLogits.Span);
        }

        return logits;
    }

    /// <summary>
    /// One run returning logits, activations and gradients. <paramref name="targetClasses"/> holds one
    /// class per image, or -1 for the image's top-1 prediction. Without <paramref name="gradients"/> (for a
    /// gradient-free method) no backward pass is run, so layers behind operators without a backward rule work too.
    /// </summary>
    public GradientBatch ForwardWithGradients(ReadOnlySpan<float> input, int batch, ReadOnlySpan<int> targetClasses, string? targetLayer = null, bool gradients = true)
    {
        var imageSize = RequireInput(input, batch);
        if (targetClasses.Length != batch)
        {
            throw new ArgumentException($"Expected {batch} target classes, got {targetClasses.Length}.", nameof(targetClasses));
        }

        foreach (var targetClass in targetClasses)
        {
            if (targetClass < -1 || targetClass >= ClassCount)
            {
                throw new ArgumentOutOfRangeException(nameof(targetClasses), targetClass, $"Target classes must lie in [0, {ClassCount}) or be -1 for the top-1.");
            }
        }

        var layer = string.IsNullOrEmpty(targetLayer) ? DefaultTargetLayer : targetLayer;
        if (layer.Length == 0)
        {
            throw new UnsupportedModelException("The model has no default target layer (no [N, C, H, W], [N, H, W, C] or token tensor before the logits); name one.");
        }

        ObjectDisposedException.ThrowIf(disposed, this);
        using var lease = gradientSessions.Acquire((layer, gradients));
        var session = lease.Session;
        var result = session.Allocate(batch, ClassCount, logitsTail);
        var chunk = SupportsBatching ? batch : 1;
        for (var start = 0; start < batch; start += chunk)
        {
            var count = Math.Min(chunk, batch - start);
            session.Run(input.Slice(start * imageSize, count * imageSize), InputShape(count), targetClasses.Slice(start, count), result, start);
        }

        return result.ToBatch();
    }

    /// <summary>
    /// The serialized gradient graph for a target layer (default: <see cref="DefaultTargetLayer"/>): the model
    /// plus its backward pass, with inputs <c>saliency_target_class</c> and outputs for logits, activations,
    /// the chosen classes and <c>saliency_grad</c>. For inspection, or to run it elsewhere.
    /// </summary>
    public byte[] GradientModelBytes(string? targetLayer = null)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        return GradientGraphBuilder.Build(loaded.Model, facts, InputName, LogitsName, targetLayer ?? DefaultTargetLayer).ModelBytes;
    }

    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        forwardSession.Dispose();
        gradientSessions.Dispose();
        sharedWeights.Dispose();
    }

    /// <summary>The most images the forward session has been given in one run.</summary>
    internal int LargestForwardRun => Volatile.Read(ref largestForwardRun);

    /// <summary>Gradient sessions held now (the default layer's and up to <see cref="ClassifierModelOptions.GradientSessions"/> others, besides any still running).</summary>
    internal int GradientSessionCount => gradientSessions.Count;

    private GradientSession CreateGradientSession(string layer, bool gradients)
    {
        var timings = new LoadSteps();
        var graph = timings.Time("graph", () => GradientGraphBuilder.Build(loaded.Model, facts, InputName, LogitsName, layer, gradients));
        var session = timings.Time("session", () => sessions.Create(graph.ModelBytes));
        if (logger is not null)
        {
            var stages = timings.ToString();
            InferenceLog.GradientGraphBuilt(logger, layer, graph.ModelBytes.Length, stages);
        }
        return new GradientSession(session, graph, InputName);
    }

    private byte[] ForwardModelBytes()
    {
        var model = loaded.Model.Clone();
        model.Graph.Output.Clear();
        model.Graph.Output.Add(new ValueInfoProto
        {
            Name = LogitsName,
            Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)TensorProto.Types.DataType.Float } },
        });
        return model.ToByteArray();
    }

    private bool RunsWithBatchOfTwo()
    {
        try
        {
            var zeros = new float[2 * InputChannels * InputHeight * InputWidth];
            RunForward(zeros, 2, new float[2 * ClassCount]);
            return true;
        }
        catch (OnnxRuntimeException e)
        {
            if (logger is not null)
            {
                InferenceLog.NoBatching(logger, e.Message);
            }
            return false;
        }
    }

    private unsafe void RunForward(ReadOnlySpan<float> input, int batch, Memory<float> logits)
    {
        int seen;
        while ((seen = Volatile.Read(ref largestForwardRun)) < batch && Interlocked.CompareExchange(ref largestForwardRun, batch, seen) != seen)
        {
        }

        fixed (float* data = input)
        {
            using var inputValue = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, InputShape(batch), (IntPtr)data, input.Length * sizeof(float));
            using var outputValue = OrtValue.CreateTensorValueFromMemory(OrtMemoryInfo.DefaultInstance, logits, [batch, .. logitsTail]);
            using var runOptions = new RunOptions();
            forwardSession.Run(runOptions, [InputName], [inputValue], [LogitsName], [outputValue]);
        }
    }

    private long[] InputShape(int batch) => [batch, InputChannels, InputHeight, InputWidth];

    private int RequireInput(ReadOnlySpan<float> input, int batch)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        ArgumentOutOfRangeException.ThrowIfLessThan(batch, 1);
        var imageSize = InputChannels * InputHeight * InputWidth;
        if (input.Length != batch * imageSize)
        {
            throw new ArgumentException($"Expected {batch}×{InputChannels}×{InputHeight}×{InputWidth} = {batch * imageSize} floats, got {input.Length}.", nameof(input));
        }

        return imageSize;
    }
}

using System.Buffers;
using System.Runtime.InteropServices;
using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace SaliencySlider.Engine.Inference;

/// <summary>
/// A model's large float weights, given to each of its CPU sessions as the same memory (ONNX Runtime's
/// <c>AddInitializer</c>), with one container for the forms ONNX Runtime pre-packs them into. Without them every session
/// (the forward one, and one per target layer) held the weights again in its own pre-packed copy: ~1 GB per gradient
/// session of VGG-11. The memory is the parsed model's own bytes, pinned, so sharing copies nothing.
/// </summary>
internal sealed class SharedWeights : IDisposable
{
    /// <summary>
    /// Smaller weights stay in each session: arrays this large live in the large-object heap, which the GC does not
    /// move, so pinning them for the model's lifetime does not fragment the heap.
    /// </summary>
    public const int MinBytes = 85_000;

    private readonly List<(string Name, OrtValue Value, MemoryHandle Pin)> weights = [];

    private SharedWeights()
    {
    }

    /// <summary>The pre-packed forms of the shared weights, made by the first session that needs each.</summary>
    public PrePackedWeightsContainer PrePacked { get; } = new();

    /// <summary>Names of the shared weights.</summary>
    public IEnumerable<string> Names => weights.Select(w => w.Name);

    /// <summary>
    /// Shares the graph's float initializers of at least <see cref="MinBytes"/>. Those stored as <c>float_data</c>
    /// are rewritten as <c>raw_data</c> first (the same values), so that they too are one block of memory.
    /// </summary>
    public static unsafe SharedWeights Of(GraphProto graph)
    {
        var shared = new SharedWeights();
        foreach (var tensor in graph.Initializer)
        {
            if (tensor.DataType != (int)TensorProto.Types.DataType.Float || tensor.DataLocation == TensorProto.Types.DataLocation.External)
            {
                continue;
            }
            if (tensor.FloatData.Count * sizeof(float) >= MinBytes)
            {
                tensor.RawData = ByteString.CopyFrom(MemoryMarshal.AsBytes<float>(tensor.FloatData.ToArray()));
                tensor.FloatData.Clear();
            }
            var bytes = tensor.RawData.Memory;
            var elements = tensor.Dims.Aggregate(1L, (a, b) => a * b);
            if (bytes.Length < MinBytes || bytes.Length != elements * sizeof(float))
            {
                continue;
            }
            var pin = bytes.Pin();
            if ((nint)pin.Pointer % sizeof(float) != 0)
            {
                pin.Dispose();
                continue;
            }
            var value = OrtValue.CreateTensorValueWithData(
                OrtMemoryInfo.DefaultInstance, TensorElementType.Float, [.. tensor.Dims], (nint)pin.Pointer, bytes.Length);
            shared.weights.Add((tensor.Name, value, pin));
        }
        return shared;
    }

    /// <summary>Gives the session these options create the shared weights in place of its own copies.</summary>
    public void AddTo(SessionOptions options)
    {
        foreach (var (name, value, _) in weights)
        {
            options.AddInitializer(name, value);
        }
    }

    /// <summary>Only after every session that uses them is disposed.</summary>
    public void Dispose()
    {
        foreach (var (_, value, pin) in weights)
        {
            value.Dispose();
            pin.Dispose();
        }
        weights.Clear();
        PrePacked.Dispose();
    }
}

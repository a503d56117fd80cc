using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.Engine.Models;

namespace SaliencySlider.Engine.Inference;

/// <summary>
/// The node structure of an ONNX classifier without its weights, read with no ONNX Runtime session and prepared as the
/// worker prepares the whole model: enough to refuse a target layer before a job is queued, by the rules the worker
/// applies (<see cref="ExplainableLayer"/>). Element types come from the operators rather than a run, and shapes are
/// unknown: whether the layer reads as a grid, and whether the gradient graph builder takes it
/// (<see cref="BuildRefusal"/>), is judged with the facts the workers measure (<see cref="LayerShapes"/>).
/// </summary>
public sealed class ModelGraph
{
    private const int Float = (int)TensorProto.Types.DataType.Float;
    private const int Int64 = (int)TensorProto.Types.DataType.Int64;
    private const int Bool = (int)TensorProto.Types.DataType.Bool;

    /// <summary>Operators that reduce a grid to one value per channel: a model without a default layer is suggested the tensors before them.</summary>
    private static readonly HashSet<string> Poolings = new(StringComparer.Ordinal) { "GlobalAveragePool", "GlobalMaxPool", "ReduceMean", "Flatten" };

    private readonly LoadedModel loaded;
    private readonly OnnxGraphIndex index;
    private readonly HashSet<string> floats;

    /// <summary>The builder's verdicts per published record (a new record, say after a model file changed, starts afresh).</summary>
    private readonly ConditionalWeakTable<LayerShapes, BuilderVerdicts> verdicts = [];

    internal ModelGraph(ModelProto structure)
    {
        loaded = OnnxModelLoader.Prepare(structure);
        index = new OnnxGraphIndex(loaded.Model.Graph);
        InputName = loaded.InputName;
        LogitsName = LogitsLocator.Locate(index);
        floats = FloatTensors(loaded.Model.Graph);
    }

    public string InputName { get; }

    /// <summary>The tensor that is explained (see <see cref="ClassifierModel.LogitsName"/>).</summary>
    public string LogitsName { get; }

    /// <summary>Reads the graph of an .onnx file, skipping its weights; throws <see cref="UnsupportedModelException"/> for a graph the engine cannot load.</summary>
    public static ModelGraph Load(string onnxPath)
    {
        using var stream = new FileStream(onnxPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        return Read(stream);
    }

    internal static ModelGraph Read(Stream stream)
    {
        try
        {
            return new ModelGraph(OnnxInputPeek.ModelStructure(stream));
        }
        catch (Exception e) when (e is InvalidDataException or Google.Protobuf.InvalidProtocolBufferException)
        {
            throw new UnsupportedModelException($"Not an ONNX model: {e.Message}");
        }
    }

    /// <summary>
    /// Why <paramref name="layer"/> cannot be explained, by a method that differentiates the logits
    /// (<paramref name="gradients"/>) or by a gradient-free one; null when nothing in the graph's structure refuses it.
    /// </summary>
    public string? WhyNot(string layer, bool gradients)
    {
        var reason = ExplainableLayer.Unusable(index, floats.Contains, InputName, LogitsName, layer);
        if (reason is not null || !gradients)
        {
            return reason;
        }

        var pathNodes = ExplainableLayer.PathNodes(index, floats.Contains, LogitsName, layer, out _);
        return ExplainableLayer.FirstWithoutBackwardRule(pathNodes) is { } node ? ExplainableLayer.NoBackwardRule(node) : null;
    }

    /// <summary>
    /// Why the worker's gradient graph builder refuses <paramref name="layer"/> (its own message), or null when it builds:
    /// the builder itself runs on this weightless graph with the facts of <paramref name="shapes"/>. Null too when the
    /// record has no element types (an older worker's), then only <see cref="WhyNot"/> judges. Verdicts are kept per
    /// record and layer; only tensors of the model get one, so they are bounded by its size.
    /// </summary>
    public string? BuildRefusal(string layer, bool gradients, LayerShapes shapes)
    {
        var known = verdicts.GetValue(shapes, s => new BuilderVerdicts(this, s));
        return known.Facts is null || !index.IsTensor(layer) ? null : known.Refusal(layer, gradients);
    }

    /// <summary>
    /// Up to <paramref name="count"/> layers <see cref="WhyNot"/> accepts: <paramref name="defaultLayer"/> first, then
    /// the tensors before it (without a default, before the last pooling), nearest first; only those
    /// <paramref name="accept"/> also accepts when it is given.
    /// </summary>
    public IReadOnlyList<string> Candidates(string? defaultLayer, bool gradients, int count, Func<string, bool>? accept = null)
    {
        const int MostTried = 64;
        var onPath = index.DownstreamOf(InputName);
        var anchor = !string.IsNullOrEmpty(defaultLayer) && onPath.Contains(defaultLayer) ? defaultLayer
            : index.Graph.Node.LastOrDefault(n => Poolings.Contains(n.OpType) && onPath.Contains(n.Input[0]))?.Input[0]
            ?? LogitsName;
        var before = index.UpstreamOf(anchor);
        return index.NodeOutputs()
            .Where(t => before.Contains(t) && onPath.Contains(t))
            .Reverse()
            .Take(MostTried)
            .Where(t => WhyNot(t, gradients) is null && (accept is null || accept(t)))
            .Take(count)
            .ToList();
    }

    private sealed class BuilderVerdicts(ModelGraph graph, LayerShapes shapes)
    {
        private readonly ConcurrentDictionary<(string Layer, bool Gradients), string?> known = new();

        public Dictionary<string, TensorFacts>? Facts { get; } = WithMeasured(StaticShapeProbe.BeforeRun(graph.loaded), shapes.NodeOutputFacts());

        public string? Refusal(string layer, bool gradients) => known.GetOrAdd((layer, gradients), key => GradientGraphBuilder.Refusal(
            graph.loaded.Model, Facts!, graph.InputName, graph.LogitsName, key.Layer, key.Gradients));

        private static Dictionary<string, TensorFacts>? WithMeasured(Dictionary<string, TensorFacts> stated, IEnumerable<KeyValuePair<string, TensorFacts>>? measured)
        {
            if (measured is null)
            {
                return null;
            }

            foreach (var (name, facts) in measured)
            {
                stated[name] = facts;
            }

            return stated;
        }
    }

    /// <summary>Tensors of element type float, as the operators that compute them tell from their inputs' types.</summary>
    private static HashSet<string> FloatTensors(GraphProto graph)
    {
        var types = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var initializer in graph.Initializer)
        {
            types[initializer.Name] = initializer.DataType;
        }

        foreach (var input in graph.Input.Where(i => i.Type?.TensorType is not null))
        {
            types.TryAdd(input.Name, input.Type.TensorType.ElemType);
        }

        foreach (var node in graph.Node)
        {
            for (var output = 0; output < node.Output.Count; output++)
            {
                if (node.Output[output].Length > 0 && OutputType(node, output, types) is { } type)
                {
                    types[node.Output[output]] = type;
                }
            }
        }

        return [.. types.Where(p => p.Value == Float).Select(p => p.Key)];
    }

    /// <summary>The element type of a node's output, or null when its operator and inputs do not tell.</summary>
    private static int? OutputType(NodeProto node, int output, Dictionary<string, int> types)
    {
        int? InputType(int input) => input < node.Input.Count && types.TryGetValue(node.Input[input], out var type) ? type : null;
        return node.OpType switch
        {
            "Shape" or "Size" or "NonZero" or "ArgMax" or "ArgMin" => Int64,
            "Equal" or "Less" or "LessOrEqual" or "Greater" or "GreaterOrEqual" or "Not" or "And" or "Or" or "Xor" or "IsNaN" or "IsInf" => Bool,
            "TopK" or "MaxPool" when output > 0 => Int64,
            "Dropout" when output > 0 => Bool,
            "Cast" => (int?)Attr.GetInt(node, "to"),
            "CastLike" => InputType(1),
            "Where" => InputType(1),
            "ConstantOfShape" => node.Attribute.FirstOrDefault(a => a.Name == "value")?.T?.DataType ?? Float,
            "Constant" => node.Attribute.FirstOrDefault()?.Name switch
            {
                "value" => node.Attribute[0].T?.DataType,
                "value_float" or "value_floats" => Float,
                "value_int" or "value_ints" => Int64,
                _ => null,
            },
            _ => InputType(0),
        };
    }
}

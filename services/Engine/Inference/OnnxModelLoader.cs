using Google.Protobuf;
using Onnx;
using SaliencySlider.Engine.Explaining;

namespace SaliencySlider.Engine.Inference;

/// <summary>A parsed classifier whose input and outputs have a symbolic batch dimension.</summary>
internal sealed record LoadedModel(
    ModelProto Model,
    string InputName,
    int InputChannels,
    int InputHeight,
    int InputWidth,
    bool HadFixedBatchOfOne);

/// <summary>
/// Parses an ONNX classifier and prepares it for batched runs and graph surgery: symbolic batch,
/// no stale value_info, an opset that has the operators the backward pass emits.
/// </summary>
internal static class OnnxModelLoader
{
    public const string BatchDimName = "N";
    public const int MinimumOpset = 13;

    /// <summary>ScatterElements with reduction (MaxPool backward) needs opset 16.</summary>
    public const int GradientOpset = 16;

    public static LoadedModel Load(byte[] modelBytes)
    {
        ModelProto model;
        try
        {
            model = ModelProto.Parser.ParseFrom(modelBytes);
        }
        catch (InvalidProtocolBufferException e)
        {
            throw new UnsupportedModelException($"Not an ONNX model: {e.Message}");
        }

        return Prepare(model);
    }

    /// <summary>
    /// Prepares a parsed model in place: the worker's whole model, or the gateway's weightless one
    /// (<see cref="OnnxInputPeek.ModelStructure"/>), which so gets the very graph the gradient builder works on.
    /// </summary>
    public static LoadedModel Prepare(ModelProto model)
    {
        var graph = model.Graph ?? throw new UnsupportedModelException("The ONNX model has no graph.");
        RequireOpset(model);

        var input = ImageInput(graph.Input, graph.Initializer.Select(i => i.Name).ToHashSet(StringComparer.Ordinal));
        var dims = input.Type.TensorType.Shape.Dim;
        if (graph.Output.Count == 0)
        {
            throw new UnsupportedModelException("The ONNX model has no output.");
        }

        var hadFixedBatchOfOne = dims[0].ValueCase == TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue && dims[0].DimValue == 1;
        MakeBatchSymbolic(dims[0]);
        foreach (var output in graph.Output)
        {
            var outputDims = output.Type?.TensorType?.Shape?.Dim;
            if (outputDims is { Count: > 0 })
            {
                MakeBatchSymbolic(outputDims[0]);
            }
        }

        graph.ValueInfo.Clear();
        SortTopologically(graph);
        if (hadFixedBatchOfOne)
        {
            LetReshapesCopyTheBatch(graph);
        }

        return new LoadedModel(model, input.Name, (int)dims[1].DimValue, (int)dims[2].DimValue, (int)dims[3].DimValue, hadFixedBatchOfOne);
    }

    /// <summary>The graph's only input that is no initializer, checked to be a float [N, C, H, W] with fixed C, H and W.</summary>
    public static ValueInfoProto ImageInput(IEnumerable<ValueInfoProto> graphInputs, IReadOnlySet<string> initializerNames)
    {
        var inputs = graphInputs.Where(i => !initializerNames.Contains(i.Name)).ToList();
        if (inputs.Count != 1)
        {
            throw new UnsupportedModelException(
                $"Expected one image input, found {inputs.Count}: {string.Join(", ", inputs.Select(i => i.Name))}.");
        }

        var input = inputs[0];
        var inputType = input.Type?.TensorType;
        var dims = inputType?.Shape?.Dim;
        if (inputType is null || inputType.ElemType != (int)TensorProto.Types.DataType.Float || dims is null || dims.Count != 4)
        {
            throw new UnsupportedModelException($"Input '{input.Name}' must be a float32 NCHW tensor of rank 4.");
        }

        if (dims.Skip(1).Any(d => d.ValueCase != TensorShapeProto.Types.Dimension.ValueOneofCase.DimValue || d.DimValue <= 0))
        {
            throw new UnsupportedModelException($"Input '{input.Name}' must have fixed channels, height and width.");
        }

        return input;
    }

    public static int DefaultDomainOpset(ModelProto model)
        => (int)(model.OpsetImport.FirstOrDefault(o => o.Domain is "" or "ai.onnx")?.Version ?? 1);

    /// <summary>Opsets 13..15 have the same CNN operators as 16; raise to 16 so ScatterElements has a reduction.</summary>
    public static void RaiseOpsetForGradients(ModelProto model)
    {
        var import = model.OpsetImport.First(o => o.Domain is "" or "ai.onnx");
        if (import.Version < GradientOpset)
        {
            import.Version = GradientOpset;
            model.IrVersion = Math.Max(model.IrVersion, 8);
        }
    }

    private static void RequireOpset(ModelProto model)
    {
        var opset = DefaultDomainOpset(model);
        if (opset < MinimumOpset)
        {
            throw new UnsupportedModelException(
                $"The model uses ONNX opset {opset}; re-export it with opset ≥ {MinimumOpset}.");
        }
    }

    /// <summary>
    /// ONNX requires nodes in topological order, but not every exporter complies; the backward pass walks
    /// the node list in order, so an unordered graph is put in order here.
    /// </summary>
    public static void SortTopologically(GraphProto graph)
    {
        var available = new HashSet<string>(StringComparer.Ordinal) { "" };
        available.UnionWith(graph.Input.Select(i => i.Name));
        available.UnionWith(graph.Initializer.Select(i => i.Name));
        var computed = new HashSet<string>(available, StringComparer.Ordinal);
        var ordered = true;
        foreach (var node in graph.Node)
        {
            ordered &= node.Input.All(computed.Contains);
            computed.UnionWith(node.Output);
        }

        if (ordered)
        {
            return;
        }

        var pending = graph.Node.ToList();
        var sorted = new List<NodeProto>(pending.Count);
        while (pending.Count > 0)
        {
            var ready = pending.Where(n => n.Input.All(available.Contains)).ToList();
            if (ready.Count == 0)
            {
                var stuck = pending[0];
                throw new UnsupportedModelException(
                    $"Node '{OnnxGraphIndex.Describe(stuck)}' ({stuck.OpType}) reads a tensor that no node computes: {string.Join(", ", stuck.Input.Where(i => !available.Contains(i)))}.");
            }

            foreach (var node in ready)
            {
                sorted.Add(node);
                available.UnionWith(node.Output);
            }

            pending = pending.Except(ready).ToList();
        }

        graph.Node.Clear();
        graph.Node.AddRange(sorted);
    }

    private static void MakeBatchSymbolic(TensorShapeProto.Types.Dimension dim)
    {
        dim.ClearDimValue();
        dim.DimParam = BatchDimName;
    }

    /// <summary>
    /// A model exported with a fixed batch of 1 often flattens with Reshape(x, [1, -1]); a 0 there copies
    /// the batch dimension instead, so the graph also runs with larger batches.
    /// </summary>
    private static void LetReshapesCopyTheBatch(GraphProto graph)
    {
        var index = new OnnxGraphIndex(graph);
        foreach (var node in graph.Node.Where(n => n.OpType == "Reshape" && n.Input.Count > 1
            && !n.Attribute.Any(a => a.Name == "allowzero" && a.I != 0)))
        {
            var shape = index.ConstantInts(node.Input[1]);
            if (shape is not { Length: > 1 } || shape[0] != 1)
            {
                continue;
            }

            shape[0] = 0;
            var name = $"{node.Input[1]}__batch_copy";
            if (index.Initializer(name) is null)
            {
                var tensor = new TensorProto { Name = name, DataType = (int)TensorProto.Types.DataType.Int64 };
                tensor.Dims.Add(shape.Length);
                tensor.Int64Data.AddRange(shape);
                graph.Initializer.Add(tensor);
                index = new OnnxGraphIndex(graph);
            }

            node.Input[1] = name;
        }
    }
}

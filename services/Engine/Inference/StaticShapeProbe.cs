using Google.Protobuf;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.OnnxRuntime.Tensors;
using Onnx;

namespace SaliencySlider.Engine.Inference;

/// <summary>Shape (batch of 1) and element type of one tensor of the graph.</summary>
internal sealed record TensorFacts(long[] Shape, TensorElementType ElementType)
{
    public int Rank => Shape.Length;

    public bool IsFloat => ElementType == TensorElementType.Float;
}

/// <summary>
/// ONNX Runtime's C# API has no shape inference, so the shapes come from one run: a copy of the model
/// that returns every node output, fed a batch of one zero image.
/// </summary>
internal static class StaticShapeProbe
{
    public static Dictionary<string, TensorFacts> Run(LoadedModel loaded, OrtSessionFactory sessions, LoadSteps timings)
    {
        var probe = loaded.Model.Clone();
        var graph = probe.Graph;
        var existing = graph.Output.Select(o => o.Name).ToHashSet(StringComparer.Ordinal);
        foreach (var output in graph.Node.SelectMany(n => n.Output))
        {
            if (output.Length > 0 && existing.Add(output))
            {
                graph.Output.Add(new ValueInfoProto { Name = output });
            }
        }

        var facts = BeforeRun(loaded);
        var inputShape = facts[loaded.InputName].Shape;
        var bytes = probe.ToByteArray();
        timings.Lap("probe graph");
        using var session = sessions.CreateOnCpu(bytes);
        timings.Lap("probe session");
        var zeros = new float[loaded.InputChannels * loaded.InputHeight * loaded.InputWidth];
        using var input = OrtValue.CreateTensorValueFromMemory(zeros, inputShape);
        var outputNames = session.OutputNames.ToArray();
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [loaded.InputName], [input], outputNames);
        for (var i = 0; i < outputNames.Length; i++)
        {
            var info = results[i].GetTensorTypeAndShape();
            facts[outputNames[i]] = new TensorFacts(info.Shape, info.ElementDataType);
        }

        timings.Lap("probe run");

        return facts;
    }

    /// <summary>The facts the graph states itself: its initializers' and the image input's (a batch of one).</summary>
    public static Dictionary<string, TensorFacts> BeforeRun(LoadedModel loaded)
    {
        var facts = new Dictionary<string, TensorFacts>(StringComparer.Ordinal);
        foreach (var initializer in loaded.Model.Graph.Initializer)
        {
            facts[initializer.Name] = new TensorFacts([.. initializer.Dims], ToElementType(initializer.DataType));
        }

        facts[loaded.InputName] = new TensorFacts([1, loaded.InputChannels, loaded.InputHeight, loaded.InputWidth], TensorElementType.Float);
        return facts;
    }

    private static TensorElementType ToElementType(int onnxDataType) => (TensorProto.Types.DataType)onnxDataType switch
    {
        TensorProto.Types.DataType.Float => TensorElementType.Float,
        TensorProto.Types.DataType.Int64 => TensorElementType.Int64,
        TensorProto.Types.DataType.Int32 => TensorElementType.Int32,
        TensorProto.Types.DataType.Bool => TensorElementType.Bool,
        TensorProto.Types.DataType.Double => TensorElementType.Double,
        TensorProto.Types.DataType.Float16 => TensorElementType.Float16,
        TensorProto.Types.DataType.Uint8 => TensorElementType.UInt8,
        TensorProto.Types.DataType.Int8 => TensorElementType.Int8,
        _ => TensorElementType.DataTypeMax,
    };
}

using Google.Protobuf;
using Onnx;
using SaliencySlider.Cli.ModelImport;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>The fingerprint follows what the model computes and nothing else.</summary>
public sealed class ModelFingerprintTests
{
    private static readonly Lazy<ModelProto> Shared = new(() => ModelProto.Parser.ParseFrom(File.ReadAllBytes(TestPaths.MobileNetOnnx)));

    private static ModelProto CopyOfShared() => Shared.Value.Clone();

    [Fact]
    public void Renaming_every_tensor_and_node_keeps_the_fingerprint()
    {
        var model = CopyOfShared();
        var names = new Dictionary<string, string>();
        string Rename(string name) => name.Length == 0 ? name : names.TryGetValue(name, out var renamed) ? renamed : names[name] = $"t{names.Count}";
        var graph = model.Graph;
        foreach (var value in graph.Input.Concat(graph.Output))
        {
            value.Name = Rename(value.Name);
        }
        foreach (var tensor in graph.Initializer)
        {
            tensor.Name = Rename(tensor.Name);
        }
        for (var n = 0; n < graph.Node.Count; n++)
        {
            var node = graph.Node[n];
            node.Name = $"node{n}";
            for (var i = 0; i < node.Input.Count; i++)
            {
                node.Input[i] = Rename(node.Input[i]);
            }
            for (var o = 0; o < node.Output.Count; o++)
            {
                node.Output[o] = Rename(node.Output[o]);
            }
        }
        graph.Name = "renamed";

        Assert.Equal(ModelFingerprint.Compute(Shared.Value), ModelFingerprint.Compute(model));
        Assert.NotEqual(Shared.Value.ToByteArray(), model.ToByteArray());
    }

    [Fact]
    public void Re_serialising_with_typed_fields_other_order_and_metadata_keeps_the_fingerprint()
    {
        var model = CopyOfShared();
        var graph = model.Graph;
        foreach (var tensor in graph.Initializer)
        {
            var raw = tensor.RawData.ToByteArray();
            tensor.RawData = ByteString.Empty;
            if (tensor.DataType == (int)TensorProto.Types.DataType.Float)
            {
                tensor.FloatData.AddRange(Enumerable.Range(0, raw.Length / 4).Select(i => BitConverter.ToSingle(raw, i * 4)));
            }
            else
            {
                tensor.Int64Data.AddRange(Enumerable.Range(0, raw.Length / 8).Select(i => BitConverter.ToInt64(raw, i * 8)));
            }
        }
        var reversed = graph.Initializer.Reverse().ToList();
        graph.Initializer.Clear();
        graph.Initializer.AddRange(reversed);
        model.ProducerName = "another tool";
        model.DocString = "another description";
        model.MetadataProps.Add(new StringStringEntryProto { Key = "k", Value = "v" });
        var reparsed = ModelProto.Parser.ParseFrom(model.ToByteArray());

        Assert.Equal(ModelFingerprint.Compute(Shared.Value), ModelFingerprint.Compute(reparsed));
    }

    [Fact]
    public void Flipping_one_weight_bit_changes_the_fingerprint()
    {
        var model = CopyOfShared();
        var weights = model.Graph.Initializer.First(t => t.Name.EndsWith("/weights", StringComparison.Ordinal));
        var raw = weights.RawData.ToByteArray();
        raw[raw.Length / 2] ^= 1;
        weights.RawData = ByteString.CopyFrom(raw);

        Assert.NotEqual(ModelFingerprint.Compute(Shared.Value), ModelFingerprint.Compute(model));
    }

    [Fact]
    public void Changing_one_attribute_changes_the_fingerprint()
    {
        var model = CopyOfShared();
        var conv = model.Graph.Node.First(n => n.OpType == "Conv");
        conv.Attribute.Single(a => a.Name == "pads").Ints[0] = 1;

        Assert.NotEqual(ModelFingerprint.Compute(Shared.Value), ModelFingerprint.Compute(model));
    }

    [Fact]
    public void Rewiring_one_input_changes_the_fingerprint()
    {
        var model = CopyOfShared();
        var add = model.Graph.Node.First(n => n.OpType == "Add");
        (add.Input[0], add.Input[1]) = (add.Input[1], add.Input[0]);

        Assert.NotEqual(ModelFingerprint.Compute(Shared.Value), ModelFingerprint.Compute(model));
    }
}

using Onnx;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Engine.Gradients;

/// <summary>Writes the vector–Jacobian product of one forward node into the graph.</summary>
internal delegate void BackwardRule(BackwardContext context);

/// <summary>
/// What a backward rule sees of one forward node: the gradients arriving at its outputs, which inputs
/// need a gradient, the static shapes of the forward tensors, and the emitter for new nodes.
/// </summary>
internal sealed class BackwardContext
{
    private readonly IReadOnlyDictionary<string, TensorFacts> facts;
    private readonly string?[] outputGradients;
    private readonly bool[] needsGradient;
    private readonly string?[] inputGradients;

    public BackwardContext(
        NodeProto node,
        GraphEmitter emit,
        OnnxGraphIndex index,
        IReadOnlyDictionary<string, TensorFacts> facts,
        string?[] outputGradients,
        bool[] needsGradient,
        int opset)
    {
        Node = node;
        Emit = emit;
        Index = index;
        this.facts = facts;
        this.outputGradients = outputGradients;
        this.needsGradient = needsGradient;
        inputGradients = new string?[node.Input.Count];
        Opset = opset;
    }

    public NodeProto Node { get; }

    public GraphEmitter Emit { get; }

    public OnnxGraphIndex Index { get; }

    public int Opset { get; }

    public IReadOnlyList<string?> InputGradients => inputGradients;

    /// <summary>The gradient arriving at output 0.</summary>
    public string Grad => outputGradients[0] ?? throw Unsupported("its gradient reaches the logits only through a secondary output");

    public string? OutputGrad(int output) => output < outputGradients.Length ? outputGradients[output] : null;

    public bool Needs(int input) => input < needsGradient.Length && needsGradient[input];

    public void SetInputGrad(int input, string gradient) => inputGradients[input] = gradient;

    public string Input(int input) => input < Node.Input.Count ? Node.Input[input] : "";

    public bool HasInput(int input) => Input(input).Length > 0;

    public string Output(int output) => Node.Output[output];

    /// <summary>The name of optional output <paramref name="output"/>, which is added to the forward node if it was not requested.</summary>
    public string RequestOutput(int output, string hint)
    {
        while (Node.Output.Count <= output)
        {
            Node.Output.Add("");
        }

        if (Node.Output[output].Length == 0)
        {
            Node.Output[output] = Emit.NewName(hint);
        }

        return Node.Output[output];
    }

    public long[] Shape(string tensor)
        => facts.TryGetValue(tensor, out var f) ? f.Shape : throw Unsupported($"the shape of tensor '{tensor}' is unknown");

    public long[] InputShape(int input) => Shape(Input(input));

    public bool IsFloat(string tensor) => facts.TryGetValue(tensor, out var f) && f.IsFloat;

    public long[] OutputShape(int output = 0) => Shape(Output(output));

    public long[] ConstantInts(int input)
        => Index.ConstantInts(Input(input)) ?? throw Unsupported($"input '{Input(input)}' must be a constant");

    public UnsupportedModelException Unsupported(string why)
        => new($"{Node.OpType} node '{OnnxGraphIndex.Describe(Node)}': {why}. {char.ToUpperInvariant(ExplainableLayer.BackwardRemedy[0])}{ExplainableLayer.BackwardRemedy[1..]}.");

    /// <summary>Sums a gradient of the broadcast shape <paramref name="gradShape"/> down to the shape of <paramref name="target"/>.</summary>
    public string Unbroadcast(string gradient, long[] gradShape, string target)
    {
        var targetShape = Shape(target);
        var lead = gradShape.Length - targetShape.Length;
        var axes = new List<long>();
        for (var axis = 0; axis < gradShape.Length; axis++)
        {
            if (axis < lead || (targetShape[axis - lead] == 1 && gradShape[axis] != 1))
            {
                axes.Add(axis);
            }
        }

        if (axes.Count == 0)
        {
            return lead == 0 ? gradient : Emit.ReshapeLike(gradient, target);
        }

        var summed = Emit.ReduceSum(gradient, [.. axes], keepDims: true);
        return lead == 0 ? summed : Emit.ReshapeLike(summed, target);
    }

    /// <summary>Normalizes a possibly negative axis of a tensor of the given rank.</summary>
    public long Axis(long axis, int rank) => axis < 0 ? axis + rank : axis;
}

namespace SaliencySlider.Engine.Gradients;

/// <summary>The operators the backward pass can go through, each with its vector–Jacobian product.</summary>
internal static partial class BackwardRules
{
    public static readonly IReadOnlyDictionary<string, BackwardRule> Table = new Dictionary<string, BackwardRule>(StringComparer.Ordinal)
    {
        ["Conv"] = Conv,
        ["Gemm"] = Gemm,
        ["MatMul"] = MatMul,
        ["Einsum"] = Einsum,
        ["Add"] = Add,
        ["Sub"] = Sub,
        ["Mul"] = Mul,
        ["Div"] = Div,
        ["Sum"] = Sum,
        ["Mean"] = Mean,
        ["Neg"] = Neg,
        ["Pow"] = Pow,
        ["Where"] = Where,
        ["Expand"] = Expand,
        ["Relu"] = Relu,
        ["LeakyRelu"] = LeakyRelu,
        ["PRelu"] = PRelu,
        ["Clip"] = Clip,
        ["Sigmoid"] = Sigmoid,
        ["Tanh"] = Tanh,
        ["Erf"] = Erf,
        ["Gelu"] = Gelu,
        ["Exp"] = Exp,
        ["Log"] = Log,
        ["Softmax"] = Softmax,
        ["LogSoftmax"] = LogSoftmax,
        ["Sqrt"] = Sqrt,
        ["HardSigmoid"] = HardSigmoid,
        ["HardSwish"] = HardSwish,
        ["BatchNormalization"] = BatchNormalization,
        ["LayerNormalization"] = LayerNormalization,
        ["MaxPool"] = MaxPool,
        ["AveragePool"] = AveragePool,
        ["GlobalAveragePool"] = GlobalAveragePool,
        ["GlobalMaxPool"] = GlobalMaxPool,
        ["ReduceMean"] = ReduceMean,
        ["ReduceSum"] = ReduceSum,
        ["ReduceL2"] = ReduceL2,
        ["Flatten"] = RestoreShape,
        ["Reshape"] = RestoreShape,
        ["Squeeze"] = RestoreShape,
        ["Unsqueeze"] = RestoreShape,
        ["Identity"] = PassThrough,
        ["Dropout"] = PassThrough,
        ["Cast"] = Cast,
        ["Transpose"] = Transpose,
        ["Concat"] = Concat,
        ["Split"] = Split,
        ["Gather"] = Gather,
        ["Slice"] = Slice,
        ["Pad"] = Pad,
    };

    private static void PassThrough(BackwardContext c) => c.SetInputGrad(0, c.Grad);

    /// <summary>Only float-to-float casts carry a gradient; others end the differentiable path.</summary>
    private static void Cast(BackwardContext c)
    {
        if (!c.IsFloat(c.Output(0)))
        {
            throw c.Unsupported("it casts the activations to a non-float type");
        }

        c.SetInputGrad(0, c.Grad);
    }
}

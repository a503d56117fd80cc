namespace SaliencySlider.Engine.Gradients;

/// <summary>The operators the backward pass can go through, each with its vector–Jacobian product.</summary>
internal static partial class BackwardRules
{
    public static readonly IReadOnlyDictionary<string, BackwardRule> Table = new Dictionary<string, BackwardRule>(StringComparer.Ordinal)
    {
        ["Conv"] = Conv,
        ["Gemm"] = Gemm,
        ["MatMul"] = MatMul,
        ["Add"] = Add,
        ["Sub"] = Sub,
        ["Mul"] = Mul,
        ["Div"] = Div,
        ["Sum"] = Sum,
        ["Neg"] = Neg,
        ["Relu"] = Relu,
        ["LeakyRelu"] = LeakyRelu,
        ["PRelu"] = PRelu,
        ["Clip"] = Clip,
        ["Sigmoid"] = Sigmoid,
        ["Tanh"] = Tanh,
        ["HardSigmoid"] = HardSigmoid,
        ["HardSwish"] = HardSwish,
        ["BatchNormalization"] = BatchNormalization,
        ["MaxPool"] = MaxPool,
        ["AveragePool"] = AveragePool,
        ["GlobalAveragePool"] = GlobalAveragePool,
        ["GlobalMaxPool"] = GlobalMaxPool,
        ["ReduceMean"] = ReduceMean,
        ["ReduceSum"] = ReduceSum,
        ["Flatten"] = RestoreShape,
        ["Reshape"] = RestoreShape,
        ["Squeeze"] = RestoreShape,
        ["Unsqueeze"] = RestoreShape,
        ["Identity"] = PassThrough,
        ["Dropout"] = PassThrough,
        ["Transpose"] = Transpose,
        ["Concat"] = Concat,
        ["Slice"] = Slice,
        ["Pad"] = Pad,
    };

    private static void PassThrough(BackwardContext c) => c.SetInputGrad(0, c.Grad);
}

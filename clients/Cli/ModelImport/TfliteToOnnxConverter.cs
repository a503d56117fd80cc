using System.Security.Cryptography;
using Onnx;
using SaliencySlider.Cli.ModelImport.Schema;
using SaliencySlider.Engine.Gradients;

namespace SaliencySlider.Cli.ModelImport;

public sealed record TfliteImportOptions
{
    /// <summary>Classes removed from the front of the logits with a Slice (1 for a 1001-way head whose class 0 is "background").</summary>
    public int DropLeadingClasses { get; init; }

    /// <summary>The ONNX graph's name; default: the source file's name without extension.</summary>
    public string? GraphName { get; init; }
}

/// <summary>
/// Converts a TFLite image classifier (NHWC, float or quantized) to a float32 ONNX model (NCHW, opset 13, IR 7) whose single
/// output <c>logits</c> is <c>[N, classes]</c>. Weights are dequantized, activation quantization is dropped, and a final
/// SOFTMAX is removed. The same input always gives the same bytes.
/// </summary>
public static class TfliteToOnnxConverter
{
    public const string ProducerName = "saliency-slider import-tflite";
    public const string OutputName = "logits";

    public static ModelProto Convert(byte[] tflite, string sourceFileName, TfliteImportOptions options)
    {
        var model = TfliteModel.Read(tflite);
        var graph = new Conversion(model, options).Run();
        graph.Name = options.GraphName ?? Path.GetFileNameWithoutExtension(sourceFileName);
        var onnx = new ModelProto
        {
            IrVersion = 7,
            ProducerName = ProducerName,
            DocString = $"Converted from {Path.GetFileName(sourceFileName)} (sha256 {System.Convert.ToHexStringLower(SHA256.HashData(tflite))}) by saliency import-tflite: "
                + "weights dequantized to float32, activation quantization dropped, NHWC to NCHW.",
            Graph = graph,
        };
        onnx.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = 13 });
        return onnx;
    }

    private sealed class Conversion(TfliteModel model, TfliteImportOptions options)
    {
        private readonly OnnxGraphWriter _writer = new();
        private readonly Dictionary<int, string> _valueNames = [];
        private readonly Dictionary<int, int> _constantAliases = [];
        private readonly HashSet<int> _skippedOperators = [];
        private int _logitsTensor = -1;
        private string? _logitsName;
        private (string Min, string Max)? _relu6Bounds;

        public GraphProto Run()
        {
            FindLogits();
            AddGraphInput();
            foreach (var op in model.Operators)
            {
                if (!_skippedOperators.Contains(op.Index))
                {
                    ConvertOperator(op);
                }
            }
            if (!_valueNames.ContainsKey(_logitsTensor))
            {
                throw new InvalidDataException($"no operator produces the logits tensor {model.Tensors[_logitsTensor].Name}");
            }
            var classes = Shape(_logitsTensor)[1];
            var dropped = options.DropLeadingClasses;
            if (dropped > 0)
            {
                _writer.AddNode("Slice", "drop_background",
                    [_logitsName!, _writer.AddInt64s("slice_starts", [dropped], 1), _writer.AddInt64s("slice_ends", [classes], 1), _writer.AddInt64s("slice_axes", [1], 1)],
                    OutputName);
            }
            _writer.AddOutput(OutputName, [null, classes - dropped]);
            return _writer.Graph;
        }

        /// <summary>The logits: the graph output, or what feeds the final SOFTMAX, looking through QUANTIZE/DEQUANTIZE.</summary>
        private void FindLogits()
        {
            if (model.Outputs.Length != 1)
            {
                throw new InvalidDataException($"the TFLite model has {model.Outputs.Length} outputs; a classifier with one output is expected");
            }
            var producers = new Dictionary<int, TfliteOperator>();
            foreach (var op in model.Operators)
            {
                foreach (var output in op.Outputs)
                {
                    producers[output] = op;
                }
            }
            var tensor = model.Outputs[0];
            var softmaxDropped = false;
            while (producers.TryGetValue(tensor, out var producer)
                && (producer.Code is BuiltinOperator.Quantize or BuiltinOperator.Dequantize || (producer.Code == BuiltinOperator.Softmax && !softmaxDropped)))
            {
                softmaxDropped |= producer.Code == BuiltinOperator.Softmax;
                _skippedOperators.Add(producer.Index);
                tensor = producer.Inputs[0];
            }
            var shape = model.Tensors[tensor].Shape;
            if (shape.Length != 2)
            {
                throw new InvalidDataException($"the logits tensor {model.Tensors[tensor].Name} has shape [{string.Join(", ", shape)}]; [N, classes] is expected");
            }
            if (options.DropLeadingClasses < 0 || options.DropLeadingClasses >= shape[1])
            {
                throw new ArgumentException($"cannot drop {options.DropLeadingClasses} leading classes of {shape[1]}");
            }
            _logitsTensor = tensor;
            _logitsName = options.DropLeadingClasses > 0 ? $"{OutputName}_{shape[1]}" : OutputName;
            _writer.Reserve(_logitsName);
            _writer.Reserve(OutputName);
        }

        private void AddGraphInput()
        {
            var inputs = model.Inputs.Where(i => !model.Tensors[i].IsConstant).ToArray();
            if (inputs.Length != 1)
            {
                throw new InvalidDataException($"the TFLite model has {inputs.Length} inputs; an image classifier with one input is expected");
            }
            var tensor = model.Tensors[inputs[0]];
            long?[] dims = tensor.Shape.Length switch
            {
                4 => [null, tensor.Shape[3], tensor.Shape[1], tensor.Shape[2]],
                2 => [null, tensor.Shape[1]],
                _ => throw new InvalidDataException($"input {tensor.Name} has shape [{string.Join(", ", tensor.Shape)}]; [N, H, W, C] or [N, features] is expected"),
            };
            var name = _writer.UniqueValueName(tensor.Name);
            _writer.AddInput(name, dims);
            _valueNames[tensor.Index] = name;
        }

        private void ConvertOperator(TfliteOperator op)
        {
            switch (op.Code)
            {
                case BuiltinOperator.Conv2D:
                case BuiltinOperator.DepthwiseConv2D:
                    ConvertConvolution(op);
                    break;
                case BuiltinOperator.FullyConnected:
                    ConvertFullyConnected(op);
                    break;
                case BuiltinOperator.Add:
                    ConvertAdd(op);
                    break;
                case BuiltinOperator.AveragePool2D:
                case BuiltinOperator.MaxPool2D:
                    ConvertPool(op);
                    break;
                case BuiltinOperator.Reshape:
                case BuiltinOperator.Squeeze:
                    var flat = Flatten(op, Input(op, 0));
                    Bind(op.Outputs[0], flat.Name);
                    break;
                case BuiltinOperator.Softmax:
                    ConvertSoftmax(op);
                    break;
                case BuiltinOperator.Quantize:
                case BuiltinOperator.Dequantize:
                    var source = op.Inputs[0];
                    if (model.Tensors[source].IsConstant || _constantAliases.ContainsKey(source))
                    {
                        _constantAliases[op.Outputs[0]] = ResolveConstant(source).Index;
                    }
                    else
                    {
                        _valueNames[op.Outputs[0]] = ValueName(source);
                    }
                    break;
                default:
                    throw new InvalidDataException($"unsupported operator {op.Code} (TFLite operator {op.Index})");
            }
        }

        private void ConvertConvolution(TfliteOperator op)
        {
            var depthwise = op.Code == BuiltinOperator.DepthwiseConv2D;
            var kind = depthwise ? "DEPTHWISE_CONV_2D" : "CONV_2D";
            var input = Input(op, 0);
            var inShape = Shape4(input, kind);
            var weights = ResolveConstant(op.Inputs[1]);
            var output = model.Tensors[op.Outputs[0]];
            if (weights.Shape.Length != 4)
            {
                throw new InvalidDataException($"{kind} weights {weights.Name} have shape [{string.Join(", ", weights.Shape)}]; 4 dimensions are expected");
            }
            var (kernelH, kernelW) = (weights.Shape[1], weights.Shape[2]);
            var values = TfliteWeights.Dequantize(weights);
            var scope = Scope(output.Name);
            int outChannels;
            long group;
            string weightsName;
            if (depthwise)
            {
                outChannels = weights.Shape[3];
                if (weights.Shape[0] != 1 || outChannels % inShape[3] != 0)
                {
                    throw new InvalidDataException($"DEPTHWISE_CONV_2D weights {weights.Name} [{string.Join(", ", weights.Shape)}] do not fit input {input.Name} with {inShape[3]} channels");
                }
                group = inShape[3];
                weightsName = _writer.AddFloats($"{scope}/depthwise_weights", TfliteWeights.DepthwiseWeightsToC1hw(values, kernelH, kernelW, outChannels), outChannels, 1, kernelH, kernelW);
            }
            else
            {
                outChannels = weights.Shape[0];
                var weightChannels = weights.Shape[3];
                if (weightChannels == 0 || inShape[3] % weightChannels != 0)
                {
                    throw new InvalidDataException($"CONV_2D weights {weights.Name} [{string.Join(", ", weights.Shape)}] do not fit input {input.Name} with {inShape[3]} channels");
                }
                group = inShape[3] / weightChannels;
                weightsName = _writer.AddFloats($"{scope}/weights", TfliteWeights.ConvWeightsToOihw(values, outChannels, kernelH, kernelW, weightChannels), outChannels, weightChannels, kernelH, kernelW);
            }
            var inputs = new List<string> { ValueName(input.Index), weightsName };
            if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
            {
                inputs.Add(_writer.AddFloats($"{scope}/biases", Bias(op.Inputs[2], outChannels, kind), outChannels));
            }
            var window = op.Options;
            RequirePositive(op, kind, window.StrideH, window.StrideW, window.DilationH, window.DilationW);
            var (padTop, padBottom) = Pads(window.Padding, inShape[1], window.StrideH, kernelH, window.DilationH);
            var (padLeft, padRight) = Pads(window.Padding, inShape[2], window.StrideW, kernelW, window.DilationW);
            EmitWithActivation(op, depthwise ? $"{scope}/depthwise" : $"{scope}/Conv2D", $"{scope}/BiasAdd", (nodeName, outputName) =>
                _writer.AddNode("Conv", nodeName, inputs, outputName,
                    Attr.Ints("dilations", window.DilationH, window.DilationW),
                    Attr.Int("group", group),
                    Attr.Ints("kernel_shape", kernelH, kernelW),
                    Attr.Ints("pads", padTop, padLeft, padBottom, padRight),
                    Attr.Ints("strides", window.StrideH, window.StrideW)));
        }

        private void ConvertFullyConnected(TfliteOperator op)
        {
            var weights = ResolveConstant(op.Inputs[1]);
            if (weights.Shape.Length != 2)
            {
                throw new InvalidDataException($"FULLY_CONNECTED weights {weights.Name} have shape [{string.Join(", ", weights.Shape)}]; [outputs, inputs] is expected");
            }
            var (outFeatures, inFeatures) = (weights.Shape[0], weights.Shape[1]);
            var flat = Flatten(op, Input(op, 0));
            if (flat.Features != inFeatures)
            {
                throw new InvalidDataException($"FULLY_CONNECTED weights {weights.Name} expect {inFeatures} inputs, but {model.Tensors[op.Inputs[0]].Name} has {flat.Features}");
            }
            var scope = Scope(model.Tensors[op.Outputs[0]].Name);
            var inputs = new List<string> { flat.Name, _writer.AddFloats($"{scope}/weights", TfliteWeights.Dequantize(weights), outFeatures, inFeatures) };
            if (op.Inputs.Length > 2 && op.Inputs[2] >= 0)
            {
                inputs.Add(_writer.AddFloats($"{scope}/biases", Bias(op.Inputs[2], outFeatures, "FULLY_CONNECTED"), outFeatures));
            }
            EmitWithActivation(op, $"{scope}/MatMul", $"{scope}/BiasAdd", (nodeName, outputName) =>
                _writer.AddNode("Gemm", nodeName, inputs, outputName, Attr.Int("transB", 1)));
        }

        private void ConvertAdd(TfliteOperator op)
        {
            var left = Input(op, 0);
            var right = Input(op, 1);
            if (!left.Shape.SequenceEqual(right.Shape))
            {
                throw new InvalidDataException($"ADD of {left.Name} [{string.Join(", ", left.Shape)}] and {right.Name} [{string.Join(", ", right.Shape)}]: only same-shape activations are supported");
            }
            var nodeName = OperatorNodeName(op, "add");
            EmitWithActivation(op, nodeName, $"{nodeName}_out", (name, output) =>
                _writer.AddNode("Add", name, [ValueName(left.Index), ValueName(right.Index)], output));
        }

        private void ConvertPool(TfliteOperator op)
        {
            var average = op.Code == BuiltinOperator.AveragePool2D;
            var kind = average ? "AVERAGE_POOL_2D" : "MAX_POOL_2D";
            var input = Input(op, 0);
            var shape = Shape4(input, kind);
            var window = op.Options;
            RequirePositive(op, kind, window.StrideH, window.StrideW, window.FilterH, window.FilterW);
            if (average && window.Padding == Padding.Valid && window.FilterH == shape[1] && window.FilterW == shape[2])
            {
                var gap = OperatorNodeName(op, "gap");
                EmitWithActivation(op, gap, $"{gap}_out", (name, output) => _writer.AddNode("GlobalAveragePool", name, [ValueName(input.Index)], output));
                return;
            }
            var (padTop, padBottom) = Pads(window.Padding, shape[1], window.StrideH, window.FilterH, 1);
            var (padLeft, padRight) = Pads(window.Padding, shape[2], window.StrideW, window.FilterW, 1);
            var nodeName = OperatorNodeName(op, average ? "avgpool" : "maxpool");
            // ONNX AveragePool's default count_include_pad = 0 averages over the valid cells only, as TFLite does.
            EmitWithActivation(op, nodeName, $"{nodeName}_out", (name, output) =>
                _writer.AddNode(average ? "AveragePool" : "MaxPool", name, [ValueName(input.Index)], output,
                    Attr.Ints("kernel_shape", window.FilterH, window.FilterW),
                    Attr.Ints("pads", padTop, padLeft, padBottom, padRight),
                    Attr.Ints("strides", window.StrideH, window.StrideW)));
        }

        private void ConvertSoftmax(TfliteOperator op)
        {
            if (op.SoftmaxBeta != 1f)
            {
                throw new InvalidDataException($"SOFTMAX with beta {op.SoftmaxBeta} (TFLite operator {op.Index}) is not supported");
            }
            var input = Input(op, 0);
            var channelAxis = input.Shape.Length == 4 ? 1 : input.Shape.Length - 1;
            _writer.AddNode("Softmax", OperatorNodeName(op, "softmax"), [ValueName(input.Index)], OutputValueName(op.Outputs[0]), Attr.Int("axis", channelAxis));
        }

        /// <summary>[N, H, W, C] → [N, H·W·C] in TFLite's (NHWC) element order: a Transpose back to NHWC first unless H·W = 1.</summary>
        private (string Name, int Features) Flatten(TfliteOperator op, TfliteTensor input)
        {
            var shape = input.Shape;
            if (shape.Length == 2)
            {
                if (op.Code == BuiltinOperator.FullyConnected)
                {
                    return (ValueName(input.Index), shape[1]);
                }
            }
            else if (shape.Length != 4)
            {
                throw new InvalidDataException($"{op.Code} of {input.Name} [{string.Join(", ", shape)}]: only 4-D or 2-D inputs are supported");
            }
            var features = TfliteWeights.ElementCount(shape.AsSpan(1));
            if (op.Code != BuiltinOperator.FullyConnected)
            {
                var outShape = model.Tensors[op.Outputs[0]].Shape;
                if (outShape.Length != 2 || outShape[1] != features)
                {
                    throw new InvalidDataException($"{op.Code} of {input.Name} [{string.Join(", ", shape)}] to [{string.Join(", ", outShape)}]: only flattening to [N, {features}] is supported");
                }
            }
            var source = ValueName(input.Index);
            if (shape.Length == 4 && shape[1] * shape[2] > 1)
            {
                source = _writer.AddNode("Transpose", OperatorNodeName(op, "transpose"), [source], _writer.UniqueValueName($"op{op.Index:D3}_nhwc"), Attr.Ints("perm", 0, 2, 3, 1)).Output[0];
            }
            var shapeName = _writer.AddInt64s($"op{op.Index:D3}_shape", [-1, features], 2);
            var output = op.Code == BuiltinOperator.FullyConnected ? _writer.UniqueValueName($"op{op.Index:D3}_flat") : OutputValueName(op.Outputs[0]);
            _writer.AddNode("Reshape", OperatorNodeName(op, "reshape"), [source, shapeName], output);
            return (output, features);
        }

        /// <summary>Adds the op (via <paramref name="emit"/>) and its fused activation. With an activation the op writes
        /// <paramref name="preActivationName"/> and the activation node, named as the TFLite output, writes that output.</summary>
        private void EmitWithActivation(TfliteOperator op, string nodeName, string preActivationName, Action<string, string> emit)
        {
            var output = model.Tensors[op.Outputs[0]];
            var activation = op.Options.Activation;
            switch (activation)
            {
                case ActivationFunctionType.None:
                    emit(nodeName, OutputValueName(output.Index));
                    break;
                case ActivationFunctionType.Relu6:
                    var pre = _writer.UniqueValueName(preActivationName);
                    emit(nodeName, pre);
                    _relu6Bounds ??= (_writer.AddFloats("relu6_min", [0f]), _writer.AddFloats("relu6_max", [6f]));
                    _writer.AddNode("Clip", output.Name, [pre, _relu6Bounds.Value.Min, _relu6Bounds.Value.Max], OutputValueName(output.Index));
                    break;
                case ActivationFunctionType.Relu:
                    var beforeRelu = _writer.UniqueValueName(preActivationName);
                    emit(nodeName, beforeRelu);
                    _writer.AddNode("Relu", output.Name, [beforeRelu], OutputValueName(output.Index));
                    break;
                default:
                    throw new InvalidDataException($"fused activation {activation} of {op.Code} (TFLite operator {op.Index}, output {output.Name}) is not supported");
            }
        }

        private float[] Bias(int tensorIndex, int channels, string kind)
        {
            var bias = ResolveConstant(tensorIndex);
            var values = TfliteWeights.Dequantize(bias);
            if (values.Length != channels)
            {
                throw new InvalidDataException($"{kind} bias {bias.Name} has {values.Length} values for {channels} output channels");
            }
            return values;
        }

        /// <summary>TF SAME padding made explicit: the extra row or column goes after (bottom/right); VALID pads nothing.</summary>
        private static (long Before, long After) Pads(Padding padding, int size, int stride, int kernel, int dilation)
        {
            if (padding == Padding.Valid)
            {
                return (0, 0);
            }
            var outSize = (size + stride - 1) / stride;
            var total = Math.Max(((outSize - 1) * stride) + ((kernel - 1) * dilation) + 1 - size, 0);
            return (total / 2, total - (total / 2));
        }

        private static void RequirePositive(TfliteOperator op, string kind, params int[] values)
        {
            if (values.Any(v => v <= 0))
            {
                throw new InvalidDataException($"{kind} (TFLite operator {op.Index}) has a stride, dilation or filter size of 0");
            }
        }

        private TfliteTensor Input(TfliteOperator op, int position)
        {
            if (position >= op.Inputs.Length || op.Inputs[position] < 0)
            {
                throw new InvalidDataException($"{op.Code} (TFLite operator {op.Index}) lacks input {position}");
            }
            return model.Tensors[op.Inputs[position]];
        }

        private TfliteTensor ResolveConstant(int index)
        {
            if (index < 0)
            {
                throw new InvalidDataException("a required constant input is missing");
            }
            while (_constantAliases.TryGetValue(index, out var source))
            {
                index = source;
            }
            var tensor = model.Tensors[index];
            return tensor.IsConstant ? tensor : throw new InvalidDataException($"tensor {tensor.Name} must be a constant (weights or bias) but is computed");
        }

        private int[] Shape4(TfliteTensor tensor, string kind) => tensor.Shape.Length == 4
            ? tensor.Shape
            : throw new InvalidDataException($"{kind} input {tensor.Name} has shape [{string.Join(", ", tensor.Shape)}]; [N, H, W, C] is expected");

        private int[] Shape(int tensor) => model.Tensors[tensor].Shape;

        private string ValueName(int tensor) => _valueNames.TryGetValue(tensor, out var name)
            ? name
            : throw new InvalidDataException($"tensor {model.Tensors[tensor].Name} is used before any operator produces it");

        /// <summary>The ONNX name of an op's output: the logits' fixed name, else the TFLite tensor's name.</summary>
        private string OutputValueName(int tensor)
        {
            var name = tensor == _logitsTensor ? _logitsName! : _writer.UniqueValueName(model.Tensors[tensor].Name);
            Bind(tensor, name);
            return name;
        }

        private void Bind(int tensor, string name) => _valueNames[tensor] = name;

        private static string OperatorNodeName(TfliteOperator op, string kind) => $"op{op.Index:D3}_{kind}";

        /// <summary>"A/B/C" → "A/B": the TF name scope that the op's weights and node are named in.</summary>
        private static string Scope(string tensorName)
        {
            var slash = tensorName.LastIndexOf('/');
            return slash > 0 ? tensorName[..slash] : tensorName;
        }
    }
}

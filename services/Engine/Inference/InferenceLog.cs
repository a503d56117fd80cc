using Microsoft.Extensions.Logging;

namespace SaliencySlider.Engine.Inference;

internal static partial class InferenceLog
{
    [LoggerMessage(Level = LogLevel.Information, Message = "ONNX Runtime execution provider: {Provider}")]
    public static partial void ProviderChosen(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "CUDA execution provider unavailable ({Reason}); using CPU")]
    public static partial void CudaUnavailable(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information,
        Message = "Loaded classifier: input {Input} {Channels}x{Height}x{Width}, logits {Logits} ({Classes} classes), default layer {Layer}, batching {Batching}, provider {Provider}")]
    public static partial void ModelLoaded(ILogger logger, string input, int channels, int height, int width, string logits, int classes, string layer, bool batching, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "The model does not run with a batch of 2 ({Reason}); images run one at a time")]
    public static partial void NoBatching(ILogger logger, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Built gradient graph for layer {Layer} ({Bytes} bytes): {Stages}")]
    public static partial void GradientGraphBuilt(ILogger logger, string layer, int bytes, string stages);
}

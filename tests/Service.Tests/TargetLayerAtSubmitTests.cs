using Google.Protobuf;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Gradients;
using SaliencySlider.TestSupport;
using SaliencySlider.Gateway.Models;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests;

/// <summary>
/// A model whose layer only the gradient graph builder refuses (a Concat along the batch axis behind it), served by
/// the running gateway and a worker: Submit refuses that layer with the builder's reason, and nothing is queued.
/// </summary>
public sealed class TargetLayerAtSubmitTests : IAsyncLifetime
{
    private const string ModelName = "batch_concat";
    private readonly string _folder = Directory.CreateTempSubdirectory("batch-concat-model-").FullName;
    private ServiceStack _stack = null!;
    private string _target = "";
    private string _concatNode = "";

    public async Task InitializeAsync()
    {
        var m = new OnnxModelBuilder(seed: 94);
        _target = m.Node("Relu", [m.Stem(m.Input("image", [3, 5, 5]), 3, 4)]);
        var concat = m.Node("Concat", [_target, _target], Attr.Int("axis", 0));
        _concatNode = m.NodeNameOf(concat);
        var later = m.Node("Relu", [m.Conv(m.Node("Reshape", [concat, m.Ints(-1, 8, 5, 5)]), 8, 4, 3, Attr.Ints("pads", [1, 1, 1, 1]))]);
        m.Output(m.ClassifierHead(later, 4 * 25, 3));
        await File.WriteAllBytesAsync(Path.Combine(_folder, ModelName + ".onnx"), m.Build());

        KeyValuePair<string, string?>[] served = [
            new("Models:Directory", _folder),
            new("Models:ManifestDirectory", Path.Combine(_folder, "no-manifests")),
            new("Models:Default", ModelName)];
        _stack = new ServiceStack(null, served);
        await _stack.InitializeAsync();
        // The worker publishes the model's tensor facts before it consumes the queue.
        await _stack.StartWorkerAsync("only", served);
    }

    public async Task DisposeAsync()
    {
        await _stack.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }

    [Fact]
    public async Task A_layer_only_the_builder_refuses_is_invalid_argument_at_submit_and_nothing_is_queued()
    {
        var layerShapes = _stack.Gateway.Services.GetRequiredService<PublishedLayerShapes>();
        await layerShapes.FilesRead;
        var hashed = layerShapes.FilesHashed;

        var error = await Assert.ThrowsAsync<RpcException>(() => _stack.Client.SubmitAsync(Request(CamMethod.GradCam), _stack.Deadline()).ResponseAsync);

        Assert.Equal(StatusCode.InvalidArgument, error.StatusCode);
        Assert.StartsWith($"target_layer '{_target}' cannot be explained with CAM_METHOD_GRAD_CAM on model '{ModelName}': ", error.Status.Detail);
        Assert.Contains($"concat node '{_concatNode}': it concatenates along the batch axis", error.Status.Detail);
        Assert.Equal(0, await _stack.Redis.StreamLengthAsync(_stack.QueueStream));
        // The model file was hashed at start-up, not by the Submit.
        Assert.Equal(1, hashed);
        Assert.Equal(hashed, layerShapes.FilesHashed);

        // A gradient-free method has no backward pass to refuse: that job is queued.
        var accepted = await _stack.Client.SubmitAsync(Request(CamMethod.EigenCam), _stack.Deadline());
        Assert.False(string.IsNullOrEmpty(accepted.JobId));
    }

    private SubmitRequest Request(CamMethod method) => new()
    {
        Image = ByteString.CopyFrom(TestImages.Read("chelsea.png")),
        Model = ModelName,
        Options = new ExplainOptions { TargetLayer = _target, Method = method, FrameCount = 2, MaxFrameSide = 32 },
    };
}

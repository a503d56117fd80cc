using Google.Protobuf.Reflection;
using Grpc.Net.Client;
using Grpc.Reflection.V1Alpha;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Observability;

/// <summary>A generic client (no generated stubs) discovers the API through server reflection.</summary>
public sealed class ReflectionTests(WorkerStack fixture) : IClassFixture<WorkerStack>
{
    [Fact]
    public async Task Reflection_lists_the_services_and_describes_the_saliency_contract()
    {
        using var channel = GrpcChannel.ForAddress($"http://127.0.0.1:{fixture.Stack.GrpcPort}");
        var reflection = new ServerReflection.ServerReflectionClient(channel);
        using var call = reflection.ServerReflectionInfo(fixture.Stack.Deadline());

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { ListServices = "" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var services = call.ResponseStream.Current.ListServicesResponse.Service.Select(s => s.Name).ToList();

        await call.RequestStream.WriteAsync(new ServerReflectionRequest { FileContainingSymbol = "saliency.v1.SaliencySliderService" });
        Assert.True(await call.ResponseStream.MoveNext(CancellationToken.None));
        var files = call.ResponseStream.Current.FileDescriptorResponse.FileDescriptorProto
            .Select(bytes => FileDescriptorProto.Parser.ParseFrom(bytes)).ToList();
        await call.RequestStream.CompleteAsync();

        Assert.Contains("saliency.v1.SaliencySliderService", services);
        Assert.Contains("grpc.health.v1.Health", services);
        Assert.Contains("grpc.reflection.v1alpha.ServerReflection", services);
        var contract = files.Single(f => f.Name == "saliency/v1/saliency.proto");
        var methods = contract.Service.Single(s => s.Name == "SaliencySliderService").Method
            .Select(m => $"{m.Name}({m.InputType}) {(m.ServerStreaming ? "stream " : "")}{m.OutputType}");
        Assert.Equal(
            [
                "Submit(.saliency.v1.SubmitRequest) .saliency.v1.SubmitResponse",
                "GetJob(.saliency.v1.GetJobRequest) .saliency.v1.GetJobResponse",
                "StreamFrames(.saliency.v1.StreamFramesRequest) stream .saliency.v1.StreamFramesResponse",
                "Explain(.saliency.v1.ExplainRequest) stream .saliency.v1.ExplainResponse",
                "ListModels(.saliency.v1.ListModelsRequest) .saliency.v1.ListModelsResponse",
            ],
            methods);
    }
}

using Google.Protobuf.Reflection;
using Grpc.Core;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Gateway.Grpc;

/// <summary>
/// Names of the contract's service and methods, taken from the generated descriptors so that a
/// rename in protos/saliency/v1/saliency.proto cannot leave a stale string behind.
/// </summary>
public static class ContractMethods
{
    /// <summary>The service's full name ("saliency.v1.SaliencySliderService").</summary>
    public static string ServiceName => SaliencySliderService.Descriptor.FullName;

    /// <summary>The HTTP/2 path of Submit ("/saliency.v1.SaliencySliderService/Submit").</summary>
    public static readonly string Submit = PathOf(nameof(SaliencySliderService.SaliencySliderServiceBase.Submit));

    /// <summary>The HTTP/2 path of Explain.</summary>
    public static readonly string Explain = PathOf(nameof(SaliencySliderService.SaliencySliderServiceBase.Explain));

    /// <summary>The path that <see cref="ServerCallContext.Method"/> reports for a method of the service.</summary>
    public static string PathOf(string methodName)
    {
        MethodDescriptor method = SaliencySliderService.Descriptor.FindMethodByName(methodName)
            ?? throw new ArgumentException($"{ServiceName} has no method {methodName}", nameof(methodName));
        return $"/{method.Service.FullName}/{method.Name}";
    }
}

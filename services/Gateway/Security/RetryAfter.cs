using System.Globalization;
using Grpc.Core;

namespace SaliencySlider.Gateway.Security;

/// <summary>RESOURCE_EXHAUSTED with a <c>retry-after</c> trailer in whole seconds, the one way every limit refuses a call.</summary>
public static class RetryAfter
{
    public const string Trailer = "retry-after";

    public static int Seconds(TimeSpan wait) => Math.Max(1, (int)Math.Ceiling(wait.TotalSeconds));

    /// <param name="message">What is exhausted; "; retry in N s" is appended.</param>
    public static RpcException Exhausted(string message, TimeSpan wait)
    {
        var seconds = Seconds(wait);
        return new RpcException(
            new Status(StatusCode.ResourceExhausted, $"{message}; retry in {seconds} s"),
            new Metadata { { Trailer, seconds.ToString(CultureInfo.InvariantCulture) } });
    }
}

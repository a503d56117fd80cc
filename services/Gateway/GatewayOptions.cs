using System.ComponentModel.DataAnnotations;

namespace SaliencySlider.Gateway;

/// <summary>Section "Gateway".</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Native gRPC (HTTP/2 cleartext).</summary>
    [Range(0, 65535)]
    public int GrpcPort { get; set; } = 50051;

    /// <summary>gRPC-Web, the demo page and /healthz (HTTP/1.1).</summary>
    [Range(0, 65535)]
    public int HttpPort { get; set; } = 8080;

    /// <summary>Proxies whose X-Forwarded-For is believed (see <see cref="Security.TrustedProxies"/>); empty: none.</summary>
    public string TrustedProxies { get; set; } = "";

    /// <summary>Bytes all uploads being verified at once may decode into (see <see cref="Submission.DecodeBudget"/>).</summary>
    [Range(Submission.DecodeBudget.BytesPerPermit, Submission.DecodeBudget.BytesPerPermit * (double)int.MaxValue)]
    public long DecodeBudgetBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Photos the demo page offers to try in one click (see <see cref="Examples.ExamplePhotos"/>); empty: none.</summary>
    public string ExamplesDirectory { get; set; } = "";

    /// <summary>Longest an upload waits for room in the decode budget before RESOURCE_EXHAUSTED.</summary>
    public TimeSpan DecodeWait { get; set; } = TimeSpan.FromSeconds(5);
}

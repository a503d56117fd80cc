namespace SaliencySlider.Gateway;

/// <summary>Section "Gateway".</summary>
public sealed class GatewayOptions
{
    public const string Section = "Gateway";

    /// <summary>Native gRPC (HTTP/2 cleartext).</summary>
    public int GrpcPort { get; set; } = 50051;

    /// <summary>gRPC-Web, the demo page and /healthz (HTTP/1.1).</summary>
    public int HttpPort { get; set; } = 8080;

    /// <summary>Proxies whose X-Forwarded-For is believed (see <see cref="Security.TrustedProxies"/>); empty: none.</summary>
    public string TrustedProxies { get; set; } = "";
}

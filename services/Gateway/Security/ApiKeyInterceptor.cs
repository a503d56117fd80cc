using System.Security.Cryptography;
using System.Text;
using Grpc.Core;
using Microsoft.Extensions.Options;

namespace SaliencySlider.Gateway.Security;

/// <summary>
/// When Auth:ApiKeys is set, every RPC except health checks and reflection needs one of the keys in
/// the <c>x-api-key</c> header or as <c>authorization: Bearer &lt;key&gt;</c>; UNAUTHENTICATED
/// otherwise. Keys are compared as SHA-256 hashes in constant time, against every configured key,
/// and never logged.
/// </summary>
public sealed class ApiKeyInterceptor : CallAdmissionInterceptor
{
    public const string ApiKeyHeader = "x-api-key";
    private static readonly string[] OpenServices = ["/grpc.health.v1.Health/", "/grpc.reflection.v1alpha.ServerReflection/", "/grpc.reflection.v1.ServerReflection/"];
    private readonly byte[][] _keyHashes;

    public ApiKeyInterceptor(IOptions<AuthOptions> options)
    {
        _keyHashes = options.Value.ApiKeys
            .Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(Hash)
            .ToArray();
    }

    public bool Enabled => _keyHashes.Length > 0;

    /// <summary>The presented key's hash when it is valid (a rate-limit partition that reveals nothing); null otherwise.</summary>
    public static string? PresentedKey(ServerCallContext context)
    {
        var key = context.RequestHeaders.GetValue(ApiKeyHeader);
        if (string.IsNullOrEmpty(key) && context.RequestHeaders.GetValue("authorization") is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization["Bearer ".Length..].Trim();
        }

        return string.IsNullOrEmpty(key) ? null : key;
    }

    protected override void Admit(ServerCallContext context)
    {
        if (!Enabled || OpenServices.Any(prefix => context.Method.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return;
        }

        var key = PresentedKey(context)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"this server requires an API key: send it in the '{ApiKeyHeader}' header or as 'authorization: Bearer <key>'"));
        var presented = Hash(key);
        var matches = 0;
        foreach (var known in _keyHashes)
        {
            matches |= CryptographicOperations.FixedTimeEquals(presented, known) ? 1 : 0;
        }

        if (matches == 0)
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key is not valid"));
        }
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

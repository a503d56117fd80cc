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

    /// <summary>
    /// The hex SHA-256 of the presented key when keys are configured and it is one of them (a rate-limit
    /// partition that reveals nothing); null otherwise. With keys off, any key a client makes up is no
    /// identity at all, so it must not buy a rate-limit bucket of its own.
    /// </summary>
    public string? ValidKeyHash(ServerCallContext context)
    {
        if (!Enabled || PresentedKey(context) is not { } key)
        {
            return null;
        }

        var presented = Hash(key);
        return IsKnown(presented) ? Convert.ToHexString(presented) : null;
    }

    private static string? PresentedKey(ServerCallContext context)
    {
        var key = context.RequestHeaders.GetValue(ApiKeyHeader);
        if (string.IsNullOrEmpty(key) && context.RequestHeaders.GetValue("authorization") is { } authorization
            && authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            key = authorization["Bearer ".Length..].Trim();
        }

        return string.IsNullOrEmpty(key) ? null : key;
    }

    protected override void Admit(ServerCallContext context, object? request)
    {
        if (!Enabled || OpenServices.Any(prefix => context.Method.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return;
        }

        var key = PresentedKey(context)
            ?? throw new RpcException(new Status(StatusCode.Unauthenticated,
                $"this server requires an API key: send it in the '{ApiKeyHeader}' header or as 'authorization: Bearer <key>'"));
        if (!IsKnown(Hash(key)))
        {
            throw new RpcException(new Status(StatusCode.Unauthenticated, "the API key is not valid"));
        }
    }

    /// <summary>Compares against every configured key in constant time.</summary>
    private bool IsKnown(byte[] presented)
    {
        var matches = 0;
        foreach (var known in _keyHashes)
        {
            matches |= CryptographicOperations.FixedTimeEquals(presented, known) ? 1 : 0;
        }

        return matches != 0;
    }

    private static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using Google.Protobuf;
using Microsoft.Extensions.Logging;
using SaliencySlider.Contracts.V1;

namespace SaliencySlider.Shared.Jobs;

/// <summary>
/// Content-addressed job ids: HMAC-SHA256 over the image bytes, the model name and the canonical
/// (protobuf) bytes of the normalised options, as 64 lowercase hex digits. Keyed so that nobody
/// can predict another user's job id from an image they guess.
/// </summary>
public sealed class JobIdFactory
{
    public const int IdLength = 64;
    private const string DevelopmentSecret = "saliency-slider-development-secret-do-not-deploy";
    private readonly byte[] _key;

    public JobIdFactory(string? secret, ILogger? logger = null)
    {
        if (string.IsNullOrEmpty(secret))
        {
            logger?.LogWarning("Jobs:IdSecret is empty; job ids use the fixed development secret. Set Jobs__IdSecret in production.");
            secret = DevelopmentSecret;
        }

        _key = Encoding.UTF8.GetBytes(secret);
    }

    public string Create(ReadOnlySpan<byte> image, string model, ExplainOptions normalisedOptions)
    {
        using var hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, _key);
        AppendWithLength(hmac, image);
        AppendWithLength(hmac, Encoding.UTF8.GetBytes(model));
        AppendWithLength(hmac, normalisedOptions.ToByteArray());
        return Convert.ToHexStringLower(hmac.GetHashAndReset());
    }

    /// <summary>True for a string that could be an id this factory made; anything else is never looked up.</summary>
    public static bool IsWellFormed(string? jobId)
        => jobId is { Length: IdLength } && jobId.All(c => char.IsAsciiHexDigitLower(c) || char.IsAsciiDigit(c));

    // Length prefixes keep the parts unambiguous: no two different (image, model, options) share bytes.
    private static void AppendWithLength(IncrementalHash hash, ReadOnlySpan<byte> data)
    {
        Span<byte> length = stackalloc byte[8];
        BinaryPrimitives.WriteInt64LittleEndian(length, data.Length);
        hash.AppendData(length);
        hash.AppendData(data);
    }
}

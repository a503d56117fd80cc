using System.Runtime.InteropServices;
using SkiaSharp;

namespace SaliencySlider.Gateway.Submission;

/// <summary>
/// Decodes an image whose header already passed the size checks, only to learn whether all of it
/// decodes (truncated or corrupt data is refused at Submit rather than failing in a worker). Memory
/// stays small: row by row where the codec allows it (a JPEG at 1/8 scale), else at a reduced scale where it allows that;
/// only the remaining formats (GIF) decode at full size, which the pixel limit bounds per upload and
/// <see cref="DecodeBudget"/> across concurrent uploads.
/// </summary>
public static class ImageContentVerifier
{
    private const long ScaledDecodePixels = 1_000_000;

    /// <summary>Null when every pixel decodes; otherwise what is wrong, for the client.</summary>
    public static string? FindProblem(ReadOnlyMemory<byte> encoded)
    {
        using var data = SKData.CreateCopy(encoded.Span);
        using var codec = SKCodec.Create(data);
        if (codec is null)
        {
            return "it is not a decodable image";
        }

        var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Premul);
        if (codec.EncodedFormat == SKEncodedImageFormat.Jpeg)
        {
            // A JPEG decoded at 1/8 scale still has every entropy-coded block read (only the inverse DCT shrinks), so
            // truncated or corrupt data fails as it would at full size, in a fraction of the time: Submit's latency.
            var scaled = codec.GetScaledDimensions(1 / 8f);
            info = info.WithSize(scaled.Width, scaled.Height);
        }

        var result = DecodeRowByRow(codec, info, out var rowsDecoded);
        if (result == SKCodecResult.Unimplemented)
        {
            result = DecodeWhole(codec, info);
            rowsDecoded = -1;
        }

        return result switch
        {
            SKCodecResult.Success => null,
            SKCodecResult.IncompleteInput when rowsDecoded >= 0 =>
                $"the {Name(codec)} data is truncated: only {(long)rowsDecoded * codec.Info.Height / info.Height} of {codec.Info.Height} rows decode",
            SKCodecResult.IncompleteInput => $"the {Name(codec)} data is truncated",
            SKCodecResult.ErrorInInput => $"the {Name(codec)} data is corrupt",
            _ => $"the {Name(codec)} data cannot be decoded ({result})",
        };
    }

    private static SKCodecResult DecodeRowByRow(SKCodec codec, SKImageInfo info, out int rowsDecoded)
    {
        rowsDecoded = 0;
        var started = codec.StartScanlineDecode(info);
        if (started != SKCodecResult.Success)
        {
            return SKCodecResult.Unimplemented;
        }

        var row = Marshal.AllocHGlobal(info.RowBytes);
        try
        {
            for (var y = 0; y < info.Height; y++)
            {
                if (codec.GetScanlines(row, 1, info.RowBytes) != 1)
                {
                    return SKCodecResult.IncompleteInput;
                }

                rowsDecoded++;
            }

            return SKCodecResult.Success;
        }
        finally
        {
            Marshal.FreeHGlobal(row);
        }
    }

    private static SKCodecResult DecodeWhole(SKCodec codec, SKImageInfo info)
    {
        var pixels = (long)info.Width * info.Height;
        if (pixels > ScaledDecodePixels)
        {
            var scaled = codec.GetScaledDimensions((float)Math.Sqrt((double)ScaledDecodePixels / pixels));
            info = info.WithSize(scaled.Width, scaled.Height);
        }

        // Native, so that the pages go back to the system at once rather than when the GC next runs.
        var buffer = Marshal.AllocHGlobal((nint)info.BytesSize64);
        try
        {
            return codec.GetPixels(info, buffer);
        }
        finally
        {
            Marshal.FreeHGlobal(buffer);
        }
    }

    /// <summary>
    /// Most bytes verifying an image with this header can take: the encoded copy, then a row, a scaled picture
    /// (JPEG, WebP) or, for codecs that decode neither row by row nor scaled (GIF, interlaced PNG), the whole canvas.
    /// </summary>
    public static long DecodeBytes(ImageHeader header, int encodedLength)
    {
        var pixels = (long)header.Width * header.Height;
        var picture = header.Format is SKEncodedImageFormat.Jpeg or SKEncodedImageFormat.Webp ? Math.Min(pixels, ScaledDecodePixels) : pixels;
        return encodedLength + ((picture + header.Width) * 4);
    }

    private static string Name(SKCodec codec) => codec.EncodedFormat.ToString().ToUpperInvariant();
}

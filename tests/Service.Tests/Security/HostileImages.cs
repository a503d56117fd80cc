using System.Buffers.Binary;
using System.IO.Compression;
using System.IO.Hashing;
using System.Text;
using SaliencySlider.Service.Tests.Infrastructure;
using SkiaSharp;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>Images for the hostile-input corpus, made here: SkiaSharp where it can encode them, by hand otherwise.</summary>
public static class HostileImages
{
    /// <summary>
    /// A 32×24 CMYK JPEG (SkiaSharp cannot write CMYK), made once with Pillow 9.4:
    /// <c>Image.new('RGB', (32, 24)) with pixel (x, y) = (8x, 10y, 128), .convert('CMYK').save(f, quality=85)</c>.
    /// </summary>
    public static readonly byte[] CmykJpeg = Convert.FromBase64String(
        "/9j/7gAOQWRvYmUAZAAAAAAA/9sAQwAFAwQEBAMFBAQEBQUFBgcMCAcHBwcPCwsJDBEPEhIRDxERExYcFxMUGhURERghGBodHR8fHxMXIiQiHiQcHh8e/8AAFAgAGAAgBEMRAE0RAFkRAEsRAP/EAB8AAAEFAQEBAQEBAAAAAAAAAAABAgMEBQYHCAkKC//EALUQAAIBAwMCBAMFBQQEAAABfQECAwAEEQUSITFBBhNRYQcicRQygZGhCCNCscEVUtHwJDNicoIJChYXGBkaJSYnKCkqNDU2Nzg5OkNERUZHSElKU1RVVldYWVpjZGVmZ2hpanN0dXZ3eHl6g4SFhoeIiYqSk5SVlpeYmZqio6Slpqeoqaqys7S1tre4ubrCw8TFxsfIycrS09TV1tfY2drh4uPk5ebn6Onq8fLz9PX29/j5+v/aAA4EQwBNAFkASwAAPwD5f8HfwV81f8Ij/wBMv0or7Lr2bwd/BR/wiP8A0y/SiivZ/B38FH/CI/8ATL9KKK9m8HfwUf8ACI/9Mv0oor8zPB38FfQH/CI/9Mv0oor2bwd/BR/wiP8A0y/SiivZ/B38FH/CI/8ATL9KKK9m8HfwUf8ACI/9Mv0oor8zPB38FfQH/CI/9Mv0oor2bwd/BR/wiP8A0y/SiivZ/B38FH/CI/8ATL9KKK9m8HfwUf8ACI/9Mv0oor//2Q==");

    public static byte[] Encode(SKBitmap bitmap, SKEncodedImageFormat format, int quality = 90)
    {
        using var image = SKImage.FromBitmap(bitmap);
        using var data = image.Encode(format, quality);
        return data.ToArray();
    }

    public static byte[] Solid(int width, int height, SKEncodedImageFormat format, SKColor? color = null)
    {
        using var bitmap = new SKBitmap(width, height);
        bitmap.Erase(color ?? new SKColor(200, 120, 40));
        return Encode(bitmap, format);
    }

    public static byte[] ChelseaAs(SKEncodedImageFormat format, int side = 96)
    {
        using var original = SKBitmap.Decode(TestImages.Read("chelsea.png"));
        using var small = original.Resize(new SKImageInfo(side, side * original.Height / original.Width), new SKSamplingOptions(SKFilterMode.Linear));
        return Encode(small, format);
    }

    /// <summary>A PNG of <paramref name="width"/>×<paramref name="height"/> with the given colour type and bit depth; every sample is a gradient.</summary>
    public static byte[] Png(int width, int height, byte colourType, byte bitDepth, bool interlaceLie = false)
    {
        var channels = colourType switch { 0 => 1, 2 => 3, 4 => 2, 6 => 4, _ => throw new ArgumentOutOfRangeException(nameof(colourType)) };
        var bytesPerSample = bitDepth / 8;
        var rowBytes = 1 + (width * channels * bytesPerSample);
        var raw = new byte[rowBytes * height];
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width * channels * bytesPerSample; x++)
            {
                raw[(y * rowBytes) + 1 + x] = (byte)((x * 7) + (y * 3));
            }
        }

        return PngFile(Ihdr(width, height, bitDepth, colourType, interlaced: interlaceLie), Deflate(raw));
    }

    /// <summary>
    /// A decompression bomb: a PNG whose IHDR declares <paramref name="width"/>×<paramref name="height"/>
    /// RGB with real, highly compressible (all zero) pixel data behind it.
    /// </summary>
    public static byte[] PngBomb(int width, int height)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.SmallestSize, leaveOpen: true))
        {
            var row = new byte[1 + (width * 3)];
            for (var y = 0; y < height; y++)
            {
                zlib.Write(row);
            }
        }

        return PngFile(Ihdr(width, height, bitDepth: 8, colourType: 2), compressed.ToArray());
    }

    /// <summary>A PNG whose header claims the given size, with one empty data chunk: no pixels behind it.</summary>
    public static byte[] PngHeaderOnly(int width, int height)
        => PngFile(Ihdr(width, height, bitDepth: 8, colourType: 2), [0x78, 0x9C, 0x03, 0x00, 0x00, 0x00, 0x00, 0x01]);

    /// <summary>A JPEG with an EXIF APP1 segment whose orientation tag is <paramref name="orientation"/> (6: rotate 90° clockwise to view).</summary>
    public static byte[] WithExifOrientation(byte[] jpeg, ushort orientation)
    {
        using var exif = new MemoryStream();
        exif.Write("Exif\0\0"u8);
        exif.Write("MM\0*"u8);
        exif.Write([0, 0, 0, 8]); // offset of IFD0
        exif.Write([0, 1]); // one entry
        exif.Write([0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0]);
        exif.Write([0, 0, 0, 0]); // no next IFD
        var payload = exif.ToArray();
        using var result = new MemoryStream();
        result.Write(jpeg.AsSpan(0, 2)); // SOI
        result.Write([0xFF, 0xE1, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        result.Write(payload);
        result.Write(jpeg.AsSpan(2));
        return result.ToArray();
    }

    /// <summary>
    /// A GIF89a of 64×48 (logical screen) with two 1×1 frames and a looping extension: an animation
    /// (the worker explains its first frame). LZW of one pixel with minimum code size 2: clear, index, end.
    /// </summary>
    public static byte[] AnimatedGif()
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        gif.Write([64, 0, 48, 0, 0xF0, 0, 0]); // screen 64×48, global colour table of 2 entries
        gif.Write([255, 0, 0, 0, 0, 255]); // red, blue
        gif.Write([0x21, 0xFF, 11]);
        gif.Write("NETSCAPE2.0"u8);
        gif.Write([3, 1, 0, 0, 0]);
        foreach (var lzw in new byte[][] { [0x44, 0x01], [0x4C, 0x01] })
        {
            gif.Write([0x21, 0xF9, 4, 0, 10, 0, 0, 0]); // 100 ms per frame
            gif.Write([0x2C, 0, 0, 0, 0, 1, 0, 1, 0, 0]); // 1×1 at the origin
            gif.Write([2, 2, lzw[0], lzw[1], 0]);
        }

        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    /// <summary>
    /// A GIF89a of <paramref name="width"/>×<paramref name="height"/> whose one frame covers the canvas in a
    /// single colour: a few KB to send, every pixel of the canvas written when decoded.
    /// </summary>
    public static byte[] GifCanvas(int width, int height)
    {
        using var gif = new MemoryStream();
        gif.Write("GIF89a"u8);
        gif.Write([(byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0xF0, 0, 0]); // 2-colour table
        gif.Write([255, 0, 0, 0, 0, 255]);
        gif.Write([0x2C, 0, 0, 0, 0, (byte)width, (byte)(width >> 8), (byte)height, (byte)(height >> 8), 0]);
        const int minCodeSize = 2;
        gif.WriteByte(minCodeSize);
        var data = LzwOfZeros(minCodeSize, (long)width * height);
        for (var offset = 0; offset < data.Length; offset += 255)
        {
            var length = Math.Min(255, data.Length - offset);
            gif.WriteByte((byte)length);
            gif.Write(data, offset, length);
        }

        gif.WriteByte(0); // end of the frame's data
        gif.WriteByte(0x3B);
        return gif.ToArray();
    }

    /// <summary>GIF's variable-width LZW of <paramref name="count"/> pixels of colour 0 (codes written least significant bit first).</summary>
    private static byte[] LzwOfZeros(int minCodeSize, long count)
    {
        var clear = 1 << minCodeSize;
        var end = clear + 1;
        var output = new List<byte>();
        long buffer = 0;
        var buffered = 0;
        var codeSize = minCodeSize + 1;
        void Emit(int code)
        {
            buffer |= (long)code << buffered;
            buffered += codeSize;
            while (buffered >= 8)
            {
                output.Add((byte)buffer);
                buffer >>= 8;
                buffered -= 8;
            }
        }

        // With one colour, the string code n (from end + 1 on) stands for one more zero than code n − 1.
        Emit(clear);
        var next = end + 1;
        long remaining = count;
        var run = 1; // the zeros the longest known code stands for
        while (remaining > 0)
        {
            var take = (int)Math.Min(run, remaining);
            Emit(take == 1 ? 0 : end - 1 + take);
            remaining -= take;
            if (take == run && next < 4096)
            {
                next++;
                run++;
                if (next > (1 << codeSize) && codeSize < 12)
                {
                    codeSize++;
                }
            }
            else if (next >= 4096)
            {
                Emit(clear);
                codeSize = minCodeSize + 1;
                next = end + 1;
                run = 1;
            }
        }

        Emit(end);
        if (buffered > 0)
        {
            output.Add((byte)buffer);
        }

        return [.. output];
    }

    /// <summary>An uncompressed 24-bit BMP (SkiaSharp writes no BMP).</summary>
    public static byte[] Bmp(int width, int height)
    {
        var rowBytes = ((width * 3) + 3) & ~3;
        var pixels = rowBytes * height;
        var bmp = new byte[54 + pixels];
        "BM"u8.CopyTo(bmp);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(2), bmp.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bmp.AsSpan(28), 24);
        BinaryPrimitives.WriteInt32LittleEndian(bmp.AsSpan(34), pixels);
        for (var i = 54; i < bmp.Length; i++)
        {
            bmp[i] = (byte)(i * 13);
        }

        return bmp;
    }

    /// <summary>A JPEG start (SOI, SOF0) that declares <paramref name="width"/>×<paramref name="height"/> and stops there.</summary>
    public static byte[] JpegHeaderOnly(int width, int height) =>
    [
        0xFF, 0xD8,
        0xFF, 0xC0, 0, 17, 8, (byte)(height >> 8), (byte)height, (byte)(width >> 8), (byte)width, 3,
        1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1,
    ];

    /// <summary>A complete JPEG whose frame header (SOF0) is patched to declare <paramref name="width"/>×<paramref name="height"/>.</summary>
    public static byte[] WithJpegSize(byte[] jpeg, int width, int height)
    {
        var copy = (byte[])jpeg.Clone();
        for (var i = 2; i < copy.Length - 9; i++)
        {
            if (copy[i] == 0xFF && copy[i + 1] == 0xC0)
            {
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 5), (ushort)height);
                BinaryPrimitives.WriteUInt16BigEndian(copy.AsSpan(i + 7), (ushort)width);
                return copy;
            }
        }

        throw new InvalidOperationException("no SOF0 marker");
    }

    /// <summary>64×32: left half red, right half blue.</summary>
    public static byte[] RedLeftBlueRight()
    {
        using var bitmap = new SKBitmap(64, 32);
        bitmap.Erase(new SKColor(230, 20, 20));
        using (var canvas = new SKCanvas(bitmap))
        {
            using var blue = new SKPaint { Color = new SKColor(20, 20, 230) };
            canvas.DrawRect(32, 0, 32, 32, blue);
        }

        return Encode(bitmap, SKEncodedImageFormat.Jpeg, 95);
    }

    public static byte[] Truncated(byte[] image, double keep) => image[..(int)(image.Length * keep)];

    /// <summary>The bytes with a run in the middle overwritten.</summary>
    public static byte[] Scribbled(byte[] image)
    {
        var copy = (byte[])image.Clone();
        for (var i = copy.Length / 2; i < (copy.Length / 2) + 64 && i < copy.Length; i++)
        {
            copy[i] = (byte)(i * 31);
        }

        return copy;
    }

    private static byte[] Deflate(byte[] raw)
    {
        using var compressed = new MemoryStream();
        using (var zlib = new ZLibStream(compressed, CompressionLevel.Fastest, leaveOpen: true))
        {
            zlib.Write(raw);
        }

        return compressed.ToArray();
    }

    private static byte[] Ihdr(int width, int height, byte bitDepth, byte colourType, bool interlaced = false)
    {
        var header = new byte[13];
        BinaryPrimitives.WriteInt32BigEndian(header, width);
        BinaryPrimitives.WriteInt32BigEndian(header.AsSpan(4), height);
        header[8] = bitDepth;
        header[9] = colourType;
        header[12] = (byte)(interlaced ? 1 : 0);
        return header;
    }

    private static byte[] PngFile(byte[] header, byte[] idat)
    {
        using var png = new MemoryStream();
        png.Write([0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);
        WriteChunk(png, "IHDR", header);
        WriteChunk(png, "IDAT", idat);
        WriteChunk(png, "IEND", []);
        return png.ToArray();
    }

    private static void WriteChunk(Stream png, string type, byte[] data)
    {
        Span<byte> number = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(number, data.Length);
        png.Write(number);
        var typeAndData = Encoding.ASCII.GetBytes(type).Concat(data).ToArray();
        png.Write(typeAndData);
        BinaryPrimitives.WriteUInt32BigEndian(number, Crc32.HashToUInt32(typeAndData));
        png.Write(number);
    }
}

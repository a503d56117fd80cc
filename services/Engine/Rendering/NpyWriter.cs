using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace SaliencySlider.Engine.Rendering;

/// <summary>Writes a float32 array in NumPy's .npy format, version 1.0 (little-endian, C order).</summary>
public static class NpyWriter
{
    private static readonly byte[] Magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0];

    public static byte[] ToBytes(ReadOnlySpan<float> values, params int[] shape)
    {
        long count = 1;
        foreach (var dimension in shape)
        {
            count *= dimension;
        }
        if (count != values.Length)
        {
            throw new ArgumentException($"shape ({string.Join(", ", shape)}) holds {count} values, got {values.Length}", nameof(shape));
        }
        var shapeText = shape.Length == 1
            ? $"({shape[0]},)"
            : "(" + string.Join(", ", shape.Select(d => d.ToString(CultureInfo.InvariantCulture))) + ")";
        var header = $"{{'descr': '<f4', 'fortran_order': False, 'shape': {shapeText}, }}";
        // Magic (8) + header length (2) + header + '\n' must be a multiple of 64.
        var unpadded = Magic.Length + 2 + header.Length + 1;
        header = header.PadRight(header.Length + ((64 - (unpadded % 64)) % 64)) + "\n";

        var result = new byte[Magic.Length + 2 + header.Length + (values.Length * 4)];
        Magic.CopyTo(result, 0);
        BinaryPrimitives.WriteUInt16LittleEndian(result.AsSpan(Magic.Length), (ushort)header.Length);
        Encoding.ASCII.GetBytes(header, result.AsSpan(Magic.Length + 2));
        var data = result.AsSpan(Magic.Length + 2 + header.Length);
        for (var i = 0; i < values.Length; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(data[(i * 4)..], values[i]);
        }
        return result;
    }

    public static void Write(string path, ReadOnlySpan<float> values, params int[] shape)
        => File.WriteAllBytes(path, ToBytes(values, shape));
}

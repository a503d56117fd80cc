namespace SaliencySlider.LoadGen;

/// <summary>
/// JPEG photos made byte-distinct by a comment segment (COM, 0xFFFE) right after the start-of-image marker:
/// the same pixels, but a different content-addressed job id, so the result cache cannot answer.
/// </summary>
internal sealed class DistinctImages(string imagesDirectory)
{
    private readonly byte[][] _photos = Directory.GetFiles(imagesDirectory, "*.jpg").Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToArray();
    private int _counter;

    public byte[] Next() => Variant(Interlocked.Increment(ref _counter));

    /// <summary>Two distinct variants of the same photo: the same job for the engine, two jobs for the cache.</summary>
    public (byte[] First, byte[] Second) NextPair()
    {
        var number = Interlocked.Increment(ref _counter);
        return (Variant(number), Variant(number));
    }

    private byte[] Variant(int number)
    {
        var photo = _photos[number % _photos.Length];
        var text = System.Text.Encoding.ASCII.GetBytes($"loadgen {Guid.NewGuid():N} {number}");
        var length = text.Length + 2;
        var result = new byte[photo.Length + 2 + length];
        photo.AsSpan(0, 2).CopyTo(result);
        result[2] = 0xFF;
        result[3] = 0xFE;
        result[4] = (byte)(length >> 8);
        result[5] = (byte)length;
        text.CopyTo(result.AsSpan(6));
        photo.AsSpan(2).CopyTo(result.AsSpan(6 + text.Length));
        return result;
    }
}

using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Imaging;
using SaliencySlider.Gateway.Submission;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>
/// Submit verifies a JPEG at 1/8 scale (fast); the worker decodes it at full size. The two must agree on every damaged
/// file, or an upload Submit accepted would fail in a worker.
/// </summary>
public sealed class ImageContentVerifierTests
{
    private static string Photo(string name) => Path.Combine(RepositoryPaths.Shared, "testdata", "images", name);

    public static TheoryData<string> Photos() => ["dog.jpg", "eagle.jpg", "flower.jpg", "giraffe.jpg"];

    [Theory]
    [MemberData(nameof(Photos))]
    public void A_photo_verifies(string photo)
        => Assert.Null(ImageContentVerifier.FindProblem(File.ReadAllBytes(Photo(photo))));

    [Theory]
    [MemberData(nameof(Photos))]
    public void A_photo_cut_anywhere_in_its_scan_is_refused_as_truncated_with_the_rows_that_decode(string photo)
    {
        var bytes = File.ReadAllBytes(Photo(photo));
        var height = ImageDecoder.Identify(bytes).Height;
        foreach (var keep in new[] { 0.3, 0.5, 0.7, 0.9, 0.99 })
        {
            var cut = bytes.AsMemory(0, (int)(bytes.Length * keep));
            var problem = ImageContentVerifier.FindProblem(cut);
            Assert.NotNull(problem);
            Assert.Contains("JPEG data is truncated: only ", problem);
            Assert.Contains($" of {height} rows decode", problem);
            Assert.Throws<InvalidImageException>(() => ImageDecoder.Decode(cut.Span));
        }
    }

    [Theory]
    [MemberData(nameof(Photos))]
    public void Submit_accepts_a_damaged_photo_only_when_the_worker_decodes_it(string photo)
    {
        var bytes = File.ReadAllBytes(Photo(photo));
        var tables = Markers(bytes, 0xC4).Concat(Markers(bytes, 0xDA)).ToArray();
        var scan = Markers(bytes, 0xDA).First() + 16;
        var random = new Random(photo.Length);
        var refused = 0;
        const int Trials = 60;
        for (var trial = 0; trial < Trials; trial++)
        {
            // A third in the Huffman tables or the scan header, the rest in the scan; some runs start with a marker.
            var damaged = (byte[])bytes.Clone();
            var at = trial % 3 == 0 ? tables[random.Next(tables.Length)] + random.Next(2, 24) : random.Next(scan, bytes.Length - 64);
            for (var i = 0; i < 1 + random.Next(32); i++)
            {
                damaged[at + i] = (byte)random.Next(256);
            }
            if (trial % 2 == 0)
            {
                damaged[at] = 0xFF;
            }

            var problem = ImageContentVerifier.FindProblem(damaged);
            var workerError = Record.Exception(() => ImageDecoder.Decode(damaged));
            Assert.True((problem is null) == (workerError is null),
                $"trial {trial}: Submit says {problem ?? "fine"}, the worker's decode {workerError?.Message ?? "succeeds"}");
            refused += problem is null ? 0 : 1;
        }

        Assert.InRange(refused, 1, Trials - 1);
    }

    /// <summary>Offsets of a marker's segments (0xFF, <paramref name="code"/>) before the first scan's data.</summary>
    private static IEnumerable<int> Markers(byte[] jpeg, byte code)
    {
        for (var i = 2; i + 3 < jpeg.Length && jpeg[i] == 0xFF; i += 2 + ((jpeg[i + 2] << 8) | jpeg[i + 3]))
        {
            if (jpeg[i + 1] == code)
            {
                yield return i;
            }
            if (jpeg[i + 1] == 0xDA)
            {
                yield break;
            }
        }
    }
}

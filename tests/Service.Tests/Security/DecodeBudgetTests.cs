using Google.Protobuf;
using Grpc.Core;
using SaliencySlider.Contracts.V1;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests.Security;

/// <summary>A decode budget of 200 MiB that uploads may wait for up to a minute.</summary>
public sealed class DecodeBudgetStack() : ConfiguredStack(
    new("Gateway:DecodeBudgetBytes", BudgetBytes.ToString(System.Globalization.CultureInfo.InvariantCulture)),
    new("Gateway:DecodeWait", "00:01:00"))
{
    public const long BudgetBytes = 200L * 1024 * 1024;
}

public sealed class DecodeBudgetTests(DecodeBudgetStack fixture) : IClassFixture<DecodeBudgetStack>
{
    private const int Uploads = 20;

    /// <summary>Peak resident memory of this process (the gateway runs in it) since the last reset.</summary>
    private static long PeakResidentBytes()
        => long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmHWM:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    private static long ResidentBytes()
        => long.Parse(File.ReadLines("/proc/self/status").Single(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
            .Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;

    [Fact]
    public async Task Twenty_concurrent_40_MP_GIFs_are_verified_within_the_decode_budget()
    {
        var gif = ByteString.CopyFrom(HostileImages.GifCanvas(8000, 5000)); // 160 MB of canvas each when decoded
        var requests = Enumerable.Range(0, Uploads).Select(i => new SubmitRequest
        {
            Image = gif,
            Options = new ExplainOptions { FrameCount = 2 + i, MaxFrameSide = 32 }, // a job of its own each
        }).ToList();
        GC.Collect();
        GC.WaitForPendingFinalizers();
        File.WriteAllText("/proc/self/clear_refs", "5"); // resets VmHWM to the current resident size
        var before = ResidentBytes();

        var outcomes = await Task.WhenAll(requests.Select(async request =>
        {
            try
            {
                await fixture.Stack.Client.SubmitAsync(request, fixture.Stack.Deadline());
                return StatusCode.OK;
            }
            catch (RpcException e)
            {
                return e.StatusCode;
            }
        }));

        var peakGrowth = PeakResidentBytes() - before;
        Assert.All(outcomes, status => Assert.Equal(StatusCode.OK, status));
        Assert.True(peakGrowth < DecodeBudgetStack.BudgetBytes + (100L * 1024 * 1024),
            $"peak resident memory grew by {peakGrowth / (1024 * 1024)} MiB for a decode budget of {DecodeBudgetStack.BudgetBytes / (1024 * 1024)} MiB");
        Console.WriteLine($"[decode-budget] {Uploads} concurrent 40 MP GIFs: peak resident growth {peakGrowth / (1024 * 1024)} MiB");
    }
}

using System.Runtime.InteropServices;

namespace SaliencySlider.Engine.Inference;

/// <summary>
/// Makes the threads that wait for a CUDA device sleep until it is done instead of spinning. CUDA's default
/// (CU_CTX_SCHED_AUTO) spins whenever the machine has more cores than the process has CUDA contexts, so every job
/// thread waiting for a run keeps a core busy, and on a GPU worker the cores, not the GPU, bound the jobs
/// (docs/GPU-CHECKS.md). The flag is set on the device's primary context, which ONNX Runtime's CUDA provider uses,
/// before any session creates it; it holds for the whole process.
/// </summary>
internal static partial class CudaWaiting
{
    private const uint SchedBlockingSync = 0x04; // CU_CTX_SCHED_BLOCKING_SYNC
    private static readonly Lock Gate = new();
    private static readonly Dictionary<int, bool> Results = [];

    /// <summary>Sets blocking waits on the device, once per process; false where the driver refused (or is absent).</summary>
    public static bool Block(int deviceId)
    {
        lock (Gate)
        {
            if (!Results.TryGetValue(deviceId, out var result))
            {
                result = Set(deviceId);
                Results[deviceId] = result;
            }
            return result;
        }
    }

    private static bool Set(int deviceId)
    {
        try
        {
            return cuInit(0) == 0 && cuDeviceGet(out var device, deviceId) == 0 && cuDevicePrimaryCtxSetFlags(device, SchedBlockingSync) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libcuda.so.1")]
    private static partial int cuInit(uint flags);

    [LibraryImport("libcuda.so.1")]
    private static partial int cuDeviceGet(out int device, int ordinal);

    [LibraryImport("libcuda.so.1", EntryPoint = "cuDevicePrimaryCtxSetFlags_v2")]
    private static partial int cuDevicePrimaryCtxSetFlags(int device, uint flags);
}

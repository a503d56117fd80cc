using System.Reflection;
using System.Text.RegularExpressions;
using SaliencySlider.Deploy.Tests.Support;

namespace SaliencySlider.Deploy.Tests;

/// <summary>
/// The `cuda` worker image against what Microsoft.ML.OnnxRuntime.Gpu.Linux's CUDA provider needs:
/// its DT_NEEDED libraries (read from the package's own .so) must be the ones the Dockerfile checks
/// for in the CUDA base image, whose CUDA major version must match theirs.
/// </summary>
public partial class CudaImageTests
{
    // Provided by every glibc system, or (libcuda) by the host driver through the NVIDIA runtime.
    private static readonly HashSet<string> SystemLibraries =
    [
        "libc.so.6", "libm.so.6", "libdl.so.2", "librt.so.1", "libpthread.so.0", "libstdc++.so.6",
        "libgcc_s.so.1", "ld-linux-x86-64.so.2", "libcuda.so.1",
    ];

    private static readonly DockerStage CudaStage = Dockerfile.Load("services/ExplainerWorker/Dockerfile").Stage("cuda");

    private static IReadOnlyList<string> CheckedLibraries =>
        CudaStage.ArgDefault("ORT_CUDA_LIBRARIES")!.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    private static string CudaProviderPath
    {
        get
        {
            var directory = typeof(CudaImageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>()
                .Single(a => a.Key == "OrtGpuNativeDirectory").Value!;
            return Path.Combine(directory, "libonnxruntime_providers_cuda.so");
        }
    }

    [Fact]
    public void The_image_checks_for_every_CUDA_library_the_provider_links()
    {
        Assert.True(File.Exists(CudaProviderPath), $"{CudaProviderPath} is missing (restored by PackageDownload)");

        var needed = ElfDependencies.Needed(CudaProviderPath).Where(library => !SystemLibraries.Contains(library)).ToList();

        Assert.Contains("libcudart.so.13", needed);
        Assert.Empty(needed.Except(CheckedLibraries));
    }

    [Fact]
    public void The_base_image_is_the_cudnn_runtime_of_the_providers_CUDA_major_version()
    {
        var cudart = ElfDependencies.Needed(CudaProviderPath).Single(library => library.StartsWith("libcudart.so.", StringComparison.Ordinal));
        var major = cudart["libcudart.so.".Length..];
        var tag = CudaBaseTag().Match(CudaStage.Image);

        Assert.True(tag.Success, CudaStage.Image);
        Assert.Equal(major, tag.Groups["major"].Value);
        // cuDNN is loaded at run time (not linked), so its major version comes from ONNX Runtime's
        // requirements for CUDA 13 builds: cuDNN 9.
        Assert.Contains("libcudnn.so.9", CheckedLibraries);
    }

    [Fact]
    public void The_library_check_runs_in_the_cuda_stage_before_the_app_is_copied()
    {
        var instructions = CudaStage.Instructions.ToList();
        var check = instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("ldconfig -p", StringComparison.Ordinal)
            && i.Arguments.Contains("${ORT_CUDA_LIBRARIES}", StringComparison.Ordinal) && i.Arguments.Contains("exit 1", StringComparison.Ordinal));
        var appCopy = instructions.FindIndex(i => i.Keyword == "COPY" && i.Arguments.Contains("--from=build-cuda", StringComparison.Ordinal));

        Assert.InRange(check, 0, appCopy);
    }

    [GeneratedRegex(@"^nvidia/cuda:(?<major>\d+)\.\d+\.\d+-cudnn-runtime-ubuntu\d+\.\d+$")]
    private static partial Regex CudaBaseTag();
}

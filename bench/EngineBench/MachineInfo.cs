using System.Runtime.InteropServices;

namespace SaliencySlider.EngineBench;

/// <summary>The machine a benchmark ran on, for the report.</summary>
public static class MachineInfo
{
    public static string Describe()
    {
        var cpu = File.Exists("/proc/cpuinfo")
            ? File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        var memory = File.Exists("/proc/meminfo")
            ? File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal", StringComparison.Ordinal))?.Split(':', 2)[1].Trim()
            : null;
        return $"{cpu ?? RuntimeInformation.ProcessArchitecture.ToString()}, {Environment.ProcessorCount} logical CPUs, {memory ?? "? memory"}, "
            + $"{RuntimeInformation.OSDescription}, .NET {Environment.Version}";
    }

    /// <summary>The checked-out commit (short hash, "+changes" when the tree differs from it), or "unknown" without git.</summary>
    public static string Commit()
    {
        try
        {
            using var git = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo("git", ["describe", "--always", "--dirty=+changes"])
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            });
            var output = git?.StandardOutput.ReadToEnd().Trim();
            git?.WaitForExit();
            return git?.ExitCode == 0 && !string.IsNullOrEmpty(output) ? output : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }

    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";
}

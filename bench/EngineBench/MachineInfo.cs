using System.Diagnostics;
using System.Runtime.InteropServices;

namespace SaliencySlider.EngineBench;

/// <summary>The machine, commit and command a benchmark ran with, for the report.</summary>
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

    public static string LoadAverage()
        => File.Exists("/proc/loadavg") ? string.Join(" ", File.ReadAllText("/proc/loadavg").Split(' ').Take(3)) : "unknown";

    /// <summary>The first line of every generated block: when, by which command, at which commit.</summary>
    public static string GeneratedBy(string command, string repository)
        => $"_Generated {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC by `{command}` at commit {Revision(repository)}._";

    /// <summary>
    /// <c>git rev-parse --short HEAD</c>, with "+dirty" when the tree differs from it outside docs/ (the bench
    /// writes its results there, so a later block of the same run still names the code it measured).
    /// </summary>
    public static string Revision(string repository)
    {
        var head = Git(repository, "rev-parse", "--short", "HEAD");
        if (head is null)
        {
            return "unknown (not a git checkout)";
        }
        var changes = Git(repository, "status", "--porcelain", "--", ".", ":(exclude)docs");
        return string.IsNullOrWhiteSpace(changes) ? head : head + "+dirty";
    }

    private static string? Git(string repository, params string[] arguments)
    {
        var info = new ProcessStartInfo("git") { WorkingDirectory = repository, RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }
        try
        {
            using var git = Process.Start(info)!;
            var output = git.StandardOutput.ReadToEnd();
            git.WaitForExit();
            return git.ExitCode == 0 ? output.Trim() : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }
}

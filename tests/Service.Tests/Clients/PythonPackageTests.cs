using System.Diagnostics;
using System.Text.Json;
using SaliencySlider.Service.Tests.Infrastructure;
using Xunit.Abstractions;

namespace SaliencySlider.Service.Tests.Clients;

/// <summary>
/// The Python package (clients/python) installed offline into a fresh virtual environment over Debian's python3
/// packages, its pytest suite and its example notebook run against the live gateway and worker.
/// </summary>
public sealed class PythonPackageTests(WorkerStack fixture, ITestOutputHelper output) : IClassFixture<WorkerStack>, IDisposable
{
    private const string DebianPython = "/usr/bin/python3";
    private const string Packages = "scripts/test installs the Debian packages this needs";
    private static readonly TimeSpan SuiteTimeout = TimeSpan.FromMinutes(10);
    private readonly string _work = Directory.CreateTempSubdirectory("saliency-python-").FullName;
    private readonly string _package = Path.Combine(RepositoryPaths.Root, "clients", "python");

    private string Server => $"127.0.0.1:{fixture.Stack.GrpcPort}";

    private string VenvPython => Path.Combine(_work, "venv", "bin", "python");

    [Fact]
    public async Task The_package_installs_offline_and_its_tests_and_example_notebook_pass_against_the_live_system()
    {
        await InstallAsync();

        // scripts/test reads the JUnit report for its closing count of every test run.
        var junit = Environment.GetEnvironmentVariable("SALIENCY_PYTEST_JUNIT") is { Length: > 0 } path ? path : Path.Combine(_work, "pytest.xml");
        var pytest = await RunAsync(VenvPython, ["-m", "pytest", Path.Combine(_package, "tests"), "-p", "no:cacheprovider", "-rfE", $"--junitxml={junit}"],
            ("SALIENCY_SERVER", Server), ("SALIENCY_TEST_IMAGES", RepoPaths.TestImages));
        Assert.True(pytest.ExitCode == 0, $"pytest exited with {pytest.ExitCode}:\n{pytest.Output}");

        var executed = await ExecuteNotebookAsync(Path.Combine(_package, "examples", "explain.ipynb"));
        var html = HtmlOutputs(executed).ToList();
        Assert.Single(html);
        Assert.Contains("<input type=\"range\" min=\"0\" max=\"10\"", html[0], StringComparison.Ordinal);
    }

    public void Dispose() => Directory.Delete(_work, recursive: true);

    /// <summary>`pip install clients/python` as a user would, offline, from a copy so no build output lands in the repository.</summary>
    private async Task InstallAsync()
    {
        var venv = await RunAsync(DebianPython, ["-m", "venv", "--system-site-packages", Path.Combine(_work, "venv")]);
        Assert.True(venv.ExitCode == 0, $"python3 -m venv failed ({Packages}):\n{venv.Output}");
        var source = Path.Combine(_work, "source");
        foreach (var file in new[] { "pyproject.toml", "README.md" })
        {
            Directory.CreateDirectory(source);
            File.Copy(Path.Combine(_package, file), Path.Combine(source, file));
        }

        CopyTree(Path.Combine(_package, "src"), Path.Combine(source, "src"));
        var pip = await RunAsync(VenvPython, ["-m", "pip", "install", "--no-index", "--no-build-isolation", "--no-cache-dir", "--disable-pip-version-check", source]);
        Assert.True(pip.ExitCode == 0, $"pip install clients/python failed ({Packages}):\n{pip.Output}");
    }

    /// <summary>Debian's jupyter-nbconvert runs the notebook on a kernel of the virtual environment (a kernel spec in a private Jupyter folder).</summary>
    private async Task<JsonDocument> ExecuteNotebookAsync(string notebook)
    {
        (string, string)[] jupyter = [("JUPYTER_DATA_DIR", Path.Combine(_work, "jupyter")), ("IPYTHONDIR", Path.Combine(_work, "ipython"))];
        var kernel = await RunAsync(VenvPython, ["-m", "ipykernel", "install", "--user", "--name", "python3"], jupyter);
        Assert.True(kernel.ExitCode == 0, $"ipykernel install failed ({Packages}):\n{kernel.Output}");

        var outputDirectory = Path.Combine(_work, "notebook");
        var run = await RunAsync("jupyter-nbconvert",
            ["--to", "notebook", "--execute", "--ExecutePreprocessor.timeout=300", "--output-dir", outputDirectory, notebook],
            [.. jupyter, ("SALIENCY_SERVER", Server), ("SALIENCY_IMAGE", Path.Combine(RepoPaths.TestImages, "chelsea.png"))]);
        Assert.True(run.ExitCode == 0, $"jupyter-nbconvert --execute failed:\n{run.Output}");
        return JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(outputDirectory, Path.GetFileName(notebook))));
    }

    private static IEnumerable<string> HtmlOutputs(JsonDocument notebook) =>
        from cell in notebook.RootElement.GetProperty("cells").EnumerateArray()
        where cell.TryGetProperty("outputs", out _)
        from cellOutput in cell.GetProperty("outputs").EnumerateArray()
        where cellOutput.TryGetProperty("data", out var data) && data.TryGetProperty("text/html", out _)
        select string.Concat(cellOutput.GetProperty("data").GetProperty("text/html").EnumerateArray().Select(line => line.GetString()));

    private static void CopyTree(string from, string to)
    {
        foreach (var file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(from, file);
            if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "__pycache__" || part.EndsWith(".egg-info", StringComparison.Ordinal)))
            {
                continue;
            }

            Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(to, relative))!);
            File.Copy(file, Path.Combine(to, relative));
        }
    }

    private async Task<(int ExitCode, string Output)> RunAsync(string program, string[] args, params (string Name, string Value)[] environment)
    {
        var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false, WorkingDirectory = RepositoryPaths.Root };
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        foreach (var (name, value) in environment)
        {
            start.Environment[name] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync().WaitAsync(SuiteTimeout);
        var text = await stdout + await stderr;
        output.WriteLine($"$ {program} {string.Join(' ', args)}\n{text}");
        return (process.ExitCode, text);
    }
}

using System.Text;
using SaliencySlider.Cli;
using SaliencySlider.Cli.ModelImport;
using SaliencySlider.Cli.ModelImport.Schema;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>Files the importer must refuse, with a reason that names the problem.</summary>
public sealed class TfliteImportErrorTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("saliency-import-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    [Fact]
    public void A_file_that_is_not_tflite_is_refused()
    {
        var error = Assert.Throws<InvalidDataException>(() => TfliteModel.Read(Encoding.ASCII.GetBytes("this is not a flatbuffer at all")));

        Assert.Contains("TFL3", error.Message);
    }

    [Fact]
    public void A_truncated_file_is_refused_as_damaged()
    {
        var tflite = TinyClassifierTflite.Build();

        var error = Assert.Throws<InvalidDataException>(() => TfliteModel.Read(tflite[..(tflite.Length / 2)]));

        Assert.Contains("damaged", error.Message);
    }

    [Fact]
    public void An_unsupported_operator_is_named()
    {
        var b = new TfliteFileBuilder();
        var input = b.Tensor("input", [1, 4, 4, 3], TensorType.Float32);
        var mean = b.Tensor("mean", [1, 3], TensorType.Float32);
        b.Operator(40, [input], [mean]); // MEAN
        (b.Inputs, b.Outputs) = ([input], [mean]);

        var error = Assert.Throws<InvalidDataException>(() => TfliteToOnnxConverter.Convert(b.Build(), "m.tflite", new TfliteImportOptions()));

        Assert.Contains("MEAN", error.Message);
    }

    [Fact]
    public void An_operator_code_above_127_is_read_from_the_int32_builtin_code()
    {
        var b = new TfliteFileBuilder();
        var input = b.Tensor("input", [1, 4], TensorType.Float32);
        var output = b.Tensor("out", [1, 4], TensorType.Float32);
        b.Operator(150, [input], [output]); // deprecated_builtin_code holds the placeholder 127
        (b.Inputs, b.Outputs) = ([input], [output]);

        var error = Assert.Throws<InvalidDataException>(() => TfliteModel.Read(b.Build()));

        Assert.Contains("builtin code 150", error.Message);
    }

    [Fact]
    public async Task Cli_reports_an_unsupported_file_in_one_line_and_writes_nothing()
    {
        var source = Path.Combine(_folder, "not.tflite");
        await File.WriteAllTextAsync(source, "plain text");
        var target = Path.Combine(_folder, "out.onnx");

        var (exitCode, _, stderr) = await RunAsync("import-tflite", source, "--out", target);

        Assert.Equal(CliApp.ExitFailure, exitCode);
        Assert.StartsWith("error: not a TFLite model", stderr);
        Assert.Single(stderr.TrimEnd().Split('\n'));
        Assert.Empty(Directory.GetFiles(_folder, "out.onnx*"));
    }

    [Fact]
    public async Task Cli_fingerprint_mismatch_exits_1_and_leaves_an_existing_file_alone()
    {
        var source = Path.Combine(_folder, TinyClassifierTflite.FileName);
        await File.WriteAllBytesAsync(source, TinyClassifierTflite.Build());
        var target = Path.Combine(_folder, "model.onnx");
        await File.WriteAllTextAsync(target, "previous model");
        var wrong = new string('0', 64);

        var (exitCode, stdout, stderr) = await RunAsync("import-tflite", source, "--out", target, "--drop-leading-classes", "1", "--expect-fingerprint", wrong);

        Assert.Equal(CliApp.ExitFailure, exitCode);
        Assert.Empty(stdout);
        Assert.Matches($"^error: fingerprint mismatch: expected {wrong}, got [0-9a-f]{{64}}\n?$", stderr.Replace("\r", ""));
        Assert.Equal("previous model", await File.ReadAllTextAsync(target));
        Assert.Equal([target], Directory.GetFiles(_folder, "model.onnx*"));
    }

    internal static async Task<(int ExitCode, string Stdout, string Stderr)> RunAsync(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        var exitCode = await CliApp.RunAsync(args, stdout, stderr);
        return (exitCode, stdout.ToString(), stderr.ToString());
    }
}

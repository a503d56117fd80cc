namespace SaliencySlider.Engine.Tests.Parity;

/// <summary>
/// The torchvision models and their PyTorch Grad-CAMs written by bench/baseline/parity_families.py (see
/// <see cref="PythonExport"/>), cached under .run/parity.
/// </summary>
public sealed class TorchParityCases
{
    public TorchParityCases()
    {
        Directory = PythonExport.Run("parity_families.py", RepositoryPaths.Combine(".run/parity"));
    }

    /// <summary>The folder of the cases, one subfolder per case.</summary>
    public string Directory { get; }

    public ParityCase Load(string name) => PythonExport.LoadMeta<ParityCase>(Directory, name) with { Folder = Path.Combine(Directory, name) };
}

/// <summary>One exported model with PyTorch's results (meta.json of a case folder).</summary>
public sealed record ParityCase
{
    public string Folder { get; init; } = "";
    public required string Case { get; init; }
    public required string Family { get; init; }
    public required int Opset { get; init; }

    /// <summary>The hooked torchvision module and the graph tensor that is its output.</summary>
    public required string Module { get; init; }
    public required string Target { get; init; }

    /// <summary>nchw, tokens ([N, 1+g², C], class token first) or nhwc.</summary>
    public required string Layout { get; init; }

    /// <summary>[H, W] of the model input and of PyTorch's CAM.</summary>
    public required int[] Input { get; init; }
    public required int[] Cam { get; init; }
    public required int Top1 { get; init; }
    public required double Top1Margin { get; init; }

    /// <summary>A bare .onnx, loaded without a manifest (input size and layer from the graph and the settings).</summary>
    public required bool Bare { get; init; }

    public string ModelFile => Path.Combine(Folder, Bare ? "model.onnx" : "model.json");

    public float[] Floats(string file) => PythonExport.Floats(Folder, file);
}

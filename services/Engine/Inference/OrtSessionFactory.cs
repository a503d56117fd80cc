using Microsoft.Extensions.Logging;
using Microsoft.ML.OnnxRuntime;

namespace SaliencySlider.Engine.Inference;

/// <summary>Creates ONNX Runtime sessions on the execution provider the options ask for.</summary>
internal sealed class OrtSessionFactory
{
    private readonly ClassifierModelOptions options;
    private readonly ILogger? logger;
    private readonly SharedWeights? shared;

    /// <param name="shared">The model's weights, given to every CPU session it creates (see <see cref="SharedWeights"/>).</param>
    public OrtSessionFactory(ClassifierModelOptions options, ILogger? logger, SharedWeights? shared = null)
    {
        this.options = options;
        this.logger = logger;
        this.shared = shared;
        ExecutionProvider = options.Provider switch
        {
            ExecutionProviderPreference.Cpu => "CPU",
            ExecutionProviderPreference.Cuda => ProbeCuda(required: true) ? "CUDA" : "CPU",
            _ => ProbeCuda(required: false) ? "CUDA" : "CPU",
        };
        if (logger is not null)
        {
            InferenceLog.ProviderChosen(logger, ExecutionProvider);
        }
    }

    /// <summary>"CUDA" or "CPU"; Auto falls back to CPU if the first CUDA session cannot be created.</summary>
    public string ExecutionProvider { get; private set; }

    public InferenceSession Create(byte[] modelBytes)
    {
        if (ExecutionProvider != "CUDA" || options.Provider != ExecutionProviderPreference.Auto)
        {
            return Create(modelBytes, ExecutionProvider);
        }

        try
        {
            return Create(modelBytes, "CUDA");
        }
        catch (OnnxRuntimeException e)
        {
            // The provider library loads but no usable device (or driver) is there.
            if (logger is not null)
            {
                InferenceLog.CudaUnavailable(logger, e.Message);
            }

            ExecutionProvider = "CPU";
            return Create(modelBytes, "CPU");
        }
    }

    /// <summary>
    /// A CPU session regardless of the chosen provider, for one-off probes: it reads the shared weights and packs
    /// none. Packing into the shared container left what it packed there for the model's lifetime, and packing a copy
    /// of its own was a load's worth of work and memory for one run (ViT-B/16 loaded in ~0.5 s less without it).
    /// </summary>
    public InferenceSession CreateOnCpu(byte[] modelBytes) => Create(modelBytes, "CPU", prePack: false);

    private InferenceSession Create(byte[] modelBytes, string provider, bool prePack = true)
    {
        using var sessionOptions = NewOptions();
        if (provider == "CUDA")
        {
            AppendCuda(sessionOptions);
        }

        if (!prePack)
        {
            sessionOptions.AddSessionConfigEntry("session.disable_prepacking", "1");
        }

        // Pre-packing is a CPU kernel's step, and a CUDA session copies its weights to the device whatever it is given.
        if (provider == "CPU" && shared is not null)
        {
            shared.AddTo(sessionOptions);
            if (prePack)
            {
                return new InferenceSession(modelBytes, sessionOptions, shared.PrePacked);
            }
        }

        return new InferenceSession(modelBytes, sessionOptions);
    }

    private SessionOptions NewOptions()
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = options.OptimizationLevel,
            LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR,
        };
        if (options.IntraOpThreads > 0)
        {
            sessionOptions.IntraOpNumThreads = options.IntraOpThreads;
        }
        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", options.IntraOpSpinning ? "1" : "0");

        return sessionOptions;
    }

    private void AppendCuda(SessionOptions sessionOptions)
    {
        using var cuda = new OrtCUDAProviderOptions();
        cuda.UpdateOptions(new Dictionary<string, string>
        {
            ["device_id"] = options.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["cudnn_conv_algo_search"] = options.CudnnConvAlgoSearch,
            ["use_tf32"] = options.AllowTf32 ? "1" : "0",
        });
        sessionOptions.AppendExecutionProvider_CUDA(cuda);
    }

    private bool ProbeCuda(bool required)
    {
        try
        {
            using var sessionOptions = NewOptions();
            AppendCuda(sessionOptions);
            return true;
        }
        catch (Exception e) when (e is OnnxRuntimeException or DllNotFoundException or EntryPointNotFoundException or TypeInitializationException)
        {
            if (required)
            {
                throw new ExecutionProviderUnavailableException($"the CUDA execution provider was requested but cannot load ({e.Message}); use the CPU provider or a build with ONNX Runtime's CUDA package", e);
            }

            if (logger is not null)
            {
                InferenceLog.CudaUnavailable(logger, e.Message);
            }
            return false;
        }
    }
}

/// <summary>An execution provider that was asked for explicitly cannot be used on this machine or build.</summary>
public sealed class ExecutionProviderUnavailableException(string message, Exception inner) : Exception(message, inner);

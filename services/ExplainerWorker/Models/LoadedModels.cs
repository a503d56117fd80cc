using Microsoft.Extensions.Options;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Configuration;

namespace SaliencySlider.ExplainerWorker.Models;

/// <summary>Every served model, loaded once when the worker starts, each with its explainer.</summary>
public sealed class LoadedModels : IDisposable
{
    private readonly Dictionary<string, Explainer> _explainers = new(StringComparer.Ordinal);
    private readonly List<ExplainerModel> _models = [];

    public LoadedModels(IOptions<ModelsOptions> modelsOptions, IOptions<WorkerOptions> workerOptions, ILoggerFactory loggerFactory)
    {
        var logger = loggerFactory.CreateLogger<LoadedModels>();
        var settings = modelsOptions.Value;
        var worker = workerOptions.Value;
        var manifestDirectory = string.IsNullOrEmpty(settings.ManifestDirectory) ? null : ModelsOptions.ResolveFolder(settings.ManifestDirectory);
        var catalog = ModelCatalog.Load(manifestDirectory, ModelsOptions.ResolveFolder(settings.Directory), settings.Default);
        foreach (var warning in catalog.Warnings)
        {
            logger.LogWarning("Model catalog: {Warning}", warning);
        }

        if (catalog.Models.Count == 0)
        {
            throw new InvalidOperationException(
                $"no model found in {ModelsOptions.ResolveFolder(settings.Directory)} (manifests: {manifestDirectory}); set Models__Directory");
        }

        var sessionOptions = new ClassifierModelOptions { Provider = worker.ExecutionProvider, IntraOpThreads = worker.IntraOpThreads, GradientSessions = worker.GradientSessions };
        var explainerOptions = worker.BatchSize > 0 ? new ExplainerOptions { MaxImagesPerRun = worker.BatchSize } : new ExplainerOptions();
        foreach (var entry in catalog.Models)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var model = ExplainerModel.Load(entry, sessionOptions, loggerFactory.CreateLogger<ClassifierModel>());
            _models.Add(model);
            var renderThreads = worker.RenderThreads > 0 ? worker.RenderThreads : ExplainerOptions.DefaultRenderThreads(model.Classifier.ExecutionProvider);
            var explainer = new Explainer(model, explainerOptions with { RenderThreads = renderThreads });
            var warmUpStart = clock.Elapsed;
            try
            {
                // Builds the default layer's backward pass now: an operator without a backward rule is refused at
                // start, naming the model, the operator and the node, rather than by the first job.
                explainer.WarmUp();
            }
            catch (UnsupportedModelException e)
            {
                throw new UnsupportedModelException($"model '{entry.Name}': {e.Message}");
            }

            _explainers[entry.Name] = explainer;
            var timings = model.Classifier.LoadSteps;
            timings.Lap("warm-up");
            var stages = timings.ToString();
            WorkerLog.ModelLoaded(logger, entry.Name, model.Classifier.ExecutionProvider, clock.Elapsed.TotalMilliseconds, (clock.Elapsed - warmUpStart).TotalMilliseconds, stages);
        }

        ExecutionProvider = _models[0].Classifier.ExecutionProvider;
    }

    /// <summary>"CUDA" or "CPU".</summary>
    public string ExecutionProvider { get; }

    public Explainer? Find(string model) => _explainers.GetValueOrDefault(model);

    public IReadOnlyList<ExplainerModel> All => _models;

    public void Dispose()
    {
        foreach (var model in _models)
        {
            model.Dispose();
        }
    }
}

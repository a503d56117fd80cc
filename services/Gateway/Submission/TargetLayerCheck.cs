using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Cam;
using SaliencySlider.Engine.Inference;
using SaliencySlider.Engine.Models;
using SaliencySlider.Shared.Jobs;

namespace SaliencySlider.Gateway.Submission;

/// <summary>
/// Refuses a target_layer the worker would refuse, judged from the model's graph (<see cref="ModelGraph"/>) and,
/// once a worker has published them, its tensors' shapes and types (<see cref="LayerShapes"/>): then the worker's
/// gradient graph builder itself decides (<see cref="ModelGraph.BuildRefusal"/>). The message gives the reason and a
/// few layers that can be explained with the requested method, the default first.
/// </summary>
public static class TargetLayerCheck
{
    /// <summary>Messages stay short: layer names a client sends may be 256 characters, and model names have no bound.</summary>
    private const int MaxNameLength = 80;
    private const int MaxMessageLength = 399;
    private const int CandidateCount = 3;

    /// <summary>Null when the layer is explainable, or when the graph is unknown or the layer is left to the worker's default.</summary>
    public static string? Problem(ModelEntry model, ModelGraph? graph, LayerShapes? shapes, ExplainOptions options)
    {
        var layer = options.TargetLayer;
        if (graph is null || string.IsNullOrEmpty(layer))
        {
            return null;
        }

        var gradients = CamMethods.NeedsGradients(ContractEnums.ToEngine(options.Method));
        var method = " with " + ExplainOptions.Descriptor.FindFieldByName("method").EnumType.FindValueByNumber((int)options.Method).Name;
        var reason = graph.WhyNot(layer, gradients: false);
        var because = "";
        if (reason is null)
        {
            // The worker builds the layer's graph first, then reads it as a grid; without published types the
            // builder cannot run here, and only the operators on the backward path are judged.
            reason = shapes?.ElementTypes is not null ? graph.BuildRefusal(layer, gradients, shapes)
                : gradients ? graph.WhyNot(layer, gradients: true)
                : null;
            because = reason is not null && gradients ? method : "";
        }

        if (reason is null && shapes?.GridProblem(layer, model.Manifest) is { } gridProblem)
        {
            reason = gridProblem;
        }

        if (reason is null)
        {
            return null;
        }

        reason = char.ToLowerInvariant(reason[0]) + reason[1..].TrimEnd('.');
        var candidates = graph.Candidates(
                model.DefaultLayer, gradients, CandidateCount, t => shapes is null || (shapes.GridProblem(t, model.Manifest) is null && graph.BuildRefusal(t, gradients, shapes) is null))
            .Select(c => c == model.DefaultLayer ? $"{Shorten(c)} (default)" : Shorten(c))
            .ToList();
        var suggestion = candidates.Count > 0 ? $"; layers you can explain{method} include: {string.Join(", ", candidates)}" : "";
        var message = $"target_layer '{Shorten(layer)}' cannot be explained{because} on model '{Shorten(model.Name)}': {reason}{suggestion}";
        return message.Length <= MaxMessageLength ? message : message[..(MaxMessageLength - 1)] + "…";
    }

    private static string Shorten(string name) => name.Length <= MaxNameLength ? name : name[..(MaxNameLength - 1)] + "…";
}

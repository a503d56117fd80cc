using SaliencySlider.Contracts.V1;
using SaliencySlider.Engine.Explaining;
using SaliencySlider.Shared.Jobs;
using EngineClassScore = SaliencySlider.Engine.Explaining.ClassScore;

namespace SaliencySlider.ExplainerWorker.Processing;

/// <summary>Between the contract's messages and the engine's settings and events.</summary>
public static class ContractMapping
{
    /// <summary>Settings for normalised options (see ExplainOptionsNormalizer).</summary>
    public static ExplainSettings ToSettings(ExplainOptions options) => new()
    {
        Method = ContractEnums.ToEngine(options.Method),
        TargetClass = options.HasTargetClass ? options.TargetClass : null,
        TargetLayer = string.IsNullOrEmpty(options.TargetLayer) ? null : options.TargetLayer,
        FrameCount = options.FrameCount,
        Baseline = ContractEnums.ToEngine(options.Baseline),
        MaxFrameSide = options.MaxFrameSide,
        Format = ContractEnums.ToEngine(options.FrameFormat),
        TopK = options.TopK,
        DeletionCurve = options.DeletionCurve,
        ScoreCamChannels = options.ScoreCamChannels > 0 ? options.ScoreCamChannels : null,
    };

    public static Progress ToContract(ChannelScoringProgress progress) => new()
    {
        Stage = ProgressStage.ScoringChannels,
        Done = progress.Scored,
        Total = progress.Total,
    };

    public static Prediction ToContract(PredictionResult prediction)
    {
        var result = new Prediction
        {
            TargetClass = prediction.TargetClass,
            TargetLabel = prediction.TargetLabel,
            TargetProbability = prediction.TargetProbability,
        };
        result.Top.AddRange(prediction.Top.Select(ToContract));
        return result;
    }

    public static Explanation ToContract(ExplanationReady ready)
    {
        var explanation = new Explanation
        {
            Prediction = ToContract(ready.Prediction),
            HeatmapPng = Google.Protobuf.ByteString.CopyFrom(ready.HeatmapPng),
            CamWidth = ready.CamWidth,
            CamHeight = ready.CamHeight,
            Method = ready.Method,
            Layer = ready.Layer,
            FrameCount = ready.FrameCount,
            FrameWidth = ready.FrameWidth,
            FrameHeight = ready.FrameHeight,
        };
        explanation.Cam.AddRange(ready.Cam);
        if (ready.Steps is { } steps)
        {
            explanation.Steps = new CamSteps { ChannelCount = steps.ChannelCount, WeightedSum = { steps.WeightedSum } };
            explanation.Steps.Strongest.AddRange(steps.Strongest.Select(c => new WeightedChannel { Channel = c.Channel, Weight = c.Weight, Activations = { c.Activations } }));
        }

        return explanation;
    }

    public static MethodResult ToContract(MethodCompared result, ComparisonStarted comparison)
    {
        var contract = new MethodResult
        {
            Method = result.Method,
            Layer = comparison.Layer,
            Position = result.Position,
            MethodCount = comparison.Methods.Count,
            Prediction = ToContract(comparison.Prediction),
            HeatmapPng = Google.Protobuf.ByteString.CopyFrom(result.HeatmapPng),
            HeatmapWidth = result.HeatmapWidth,
            HeatmapHeight = result.HeatmapHeight,
            InsertionAuc = result.InsertionAuc,
            DeletionAuc = result.DeletionAuc,
        };
        contract.InsertionCurve.AddRange(result.InsertionCurve);
        contract.DeletionCurve.AddRange(result.DeletionCurve);
        if (result.Sufficiency is { } sufficiency)
        {
            contract.Sufficiency = sufficiency;
        }
        return contract;
    }

    public static Frame ToContract(SliderFrame frame) => new()
    {
        Index = frame.Index,
        Percent = frame.Percent,
        Image = Google.Protobuf.ByteString.CopyFrom(frame.Image),
        MimeType = frame.MimeType,
        Width = frame.Width,
        Height = frame.Height,
        Prediction = ToContract(frame.Prediction),
        TargetProbability = frame.TargetProbability,
        DeletionProbability = frame.DeletionProbability ?? 0f,
    };

    private static Contracts.V1.ClassScore ToContract(EngineClassScore score) => new()
    {
        Index = score.Index,
        Label = score.Label,
        Probability = score.Probability,
        Logit = score.Logit,
    };
}

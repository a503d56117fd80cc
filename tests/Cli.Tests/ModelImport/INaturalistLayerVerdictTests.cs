using SaliencySlider.Engine.Inference;

namespace SaliencySlider.Cli.Tests.ModelImport;

/// <summary>The gateway's Submit-time verdict on target layers agrees with the worker's builder on the converted iNaturalist models.</summary>
public sealed class INaturalistLayerVerdictTests(INaturalistModels inaturalist) : IClassFixture<INaturalistModels>
{
    [Theory]
    [InlineData("inat-bird")]
    [InlineData("inat-insect")]
    public void The_gateway_refuses_what_the_builder_refuses_on_the_iNaturalist_models(string name)
    {
        var converted = inaturalist[name];
        LayerVerdicts.AssertAgreement(ModelGraph.Load(converted.Model.Entry.OnnxPath), converted.Model.Classifier, sampleEvery: 7);
    }
}

using SaliencySlider.Engine.Explaining;
using SaliencySlider.Engine.Models;
using SaliencySlider.Engine.Tests.Support;

namespace SaliencySlider.Engine.Tests.Models;

/// <summary>The shapes a worker publishes let the gateway refuse a layer that is no grid with the worker's own words.</summary>
public sealed class LayerShapesTests(MobileNetFixture fixture) : IClassFixture<MobileNetFixture>
{
    private ExplainerModel Model => fixture.Model;

    [Fact]
    public void A_tensor_that_is_no_grid_gets_the_refusal_the_worker_gives_and_grids_get_none()
    {
        var shapes = LayerShapes.TryDecode(LayerShapes.Of(Model).Encode())!;

        Assert.Equal([1, 1001], shapes.Tensors["logits_1001"]);
        var workerSays = Assert.Throws<UnsupportedModelException>(() => Model.GridOf("logits_1001")).Message;
        Assert.Equal(workerSays, shapes.GridProblem("logits_1001", Model.Manifest));
        Assert.Contains("a target layer must be [N, C, H, W], [N, H, W, C] or tokens [N, T, C]", workerSays);

        Assert.Null(shapes.GridProblem(Model.DefaultTargetLayer, Model.Manifest));
        Assert.Null(shapes.GridProblem("MobilenetV2/Logits/AvgPool", Model.Manifest));
        Assert.Null(shapes.GridProblem("not a tensor", Model.Manifest));
    }

    [Fact]
    public void Every_tensor_the_nodes_compute_is_published_with_a_batch_of_one_and_the_types_that_are_not_float()
    {
        var shapes = LayerShapes.Of(Model);

        Assert.Contains(Model.DefaultTargetLayer, shapes.Tensors.Keys);
        Assert.Contains(Model.Classifier.LogitsName, shapes.Tensors.Keys);
        Assert.DoesNotContain(Model.Classifier.InputName, shapes.Tensors.Keys);
        Assert.All(shapes.Tensors.Values.Where(shape => shape.Length > 1), shape => Assert.Equal(1, shape[0]));
        Assert.NotNull(shapes.ElementTypes);
        Assert.All(shapes.ElementTypes.Keys, name => Assert.Contains(name, shapes.Tensors.Keys));
        Assert.DoesNotContain(Model.DefaultTargetLayer, shapes.ElementTypes.Keys);
    }

    [Fact]
    public void A_loaded_model_is_keyed_by_the_hash_of_the_file_the_gateway_hashes()
    {
        using var model = SaliencySlider.Engine.Inference.ClassifierModel.Load(TestPaths.MobileNetOnnx);

        Assert.Equal(LayerShapes.FileHash(TestPaths.MobileNetOnnx), model.Sha256);
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"inputHeight\":224}")]
    public void Text_that_is_not_published_shapes_reads_as_none(string text) => Assert.Null(LayerShapes.TryDecode(text));
}

using System.Net;
using System.Net.Http.Json;
using SaliencySlider.Service.Tests.Infrastructure;

namespace SaliencySlider.Service.Tests;

/// <summary>A gateway whose example folder holds two photos (one over the upload limit), a text file and a subfolder.</summary>
public sealed class ExamplesStack() : ConfiguredStack(
    new("Gateway:ExamplesDirectory", ExampleFolder()),
    new("Jobs:MaxImageBytes", "300000"))
{
    private static string ExampleFolder()
    {
        var folder = Directory.CreateTempSubdirectory("saliency-examples-").FullName;
        File.Copy(Path.Combine(RepoPaths.TestImages, "chelsea.png"), Path.Combine(folder, "chelsea.png"));
        File.Copy(Path.Combine(RepoPaths.TestImages, "coffee.png"), Path.Combine(folder, "coffee.png"));
        File.WriteAllText(Path.Combine(folder, "notes.txt"), "not a photo");
        Directory.CreateDirectory(Path.Combine(folder, "more"));
        return folder;
    }
}

/// <summary>GET /examples lists the photos the demo page offers; GET /examples/{file} serves only those.</summary>
public sealed class ExamplePhotosTests(ExamplesStack fixture) : IClassFixture<ExamplesStack>
{
    private HttpClient Http() => new() { BaseAddress = new Uri($"http://127.0.0.1:{fixture.Stack.HttpPort}") };

    private sealed record Listed(string Name, string File, string Url, long Bytes);

    [Fact]
    public async Task Only_images_a_Submit_would_accept_are_listed_and_served()
    {
        using var http = Http();

        var listed = await http.GetFromJsonAsync<List<Listed>>("/examples");

        var chelsea = Assert.Single(listed!);
        Assert.Equal(("chelsea", "chelsea.png", "/examples/chelsea.png"), (chelsea.Name, chelsea.File, chelsea.Url));
        using var photo = await http.GetAsync(chelsea.Url);
        Assert.Equal(HttpStatusCode.OK, photo.StatusCode);
        Assert.Equal("image/png", photo.Content.Headers.ContentType?.MediaType);
        Assert.Equal(TestImages.Read("chelsea.png"), await photo.Content.ReadAsByteArrayAsync());
    }

    [Theory]
    [InlineData("/examples/coffee.png")]
    [InlineData("/examples/notes.txt")]
    [InlineData("/examples/..%2Fnotes.txt")]
    [InlineData("/examples/..%2F..%2Fetc%2Fpasswd")]
    public async Task Anything_else_is_not_found(string path)
    {
        using var http = Http();

        using var response = await http.GetAsync(path);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }
}

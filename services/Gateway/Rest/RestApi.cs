using Grpc.AspNetCore.Server;
using Grpc.Core;
using Microsoft.OpenApi.Extensions;
using Microsoft.OpenApi.Models;
using Swashbuckle.AspNetCore.Swagger;

namespace SaliencySlider.Gateway.Rest;

/// <summary>
/// REST/JSON beside gRPC: the contract's <c>google.api.http</c> bindings served by gRPC JSON transcoding
/// (the same service, interceptors and statuses as gRPC; RESOURCE_EXHAUSTED's retry hint becomes a
/// <c>Retry-After</c> header, see <see cref="RetryAfterHeaderInterceptor"/>), their OpenAPI document at
/// <c>/openapi.json</c>, and a JSON 404 for every other <c>/v1/...</c> path.
/// </summary>
public static class RestApi
{
    public const string OpenApiPath = "/openapi.json";
    private const string DocumentName = "v1";

    public static void AddRestApi(this IGrpcServerBuilder grpc)
    {
        grpc.AddJsonTranscoding();
        grpc.Services.AddGrpcSwagger();
        grpc.Services.AddSwaggerGen(swagger => swagger.SwaggerDoc(DocumentName, new OpenApiInfo
        {
            Title = "Saliency Slider",
            Version = DocumentName,
            Description = "REST/JSON bindings of saliency.v1.SaliencySliderService (protos/saliency/v1/saliency.proto); see docs/API.md.",
        }));
    }

    public static void MapRestApi(this WebApplication app)
    {
        var document = new Lazy<string>(() => app.Services.GetRequiredService<ISwaggerProvider>()
            .GetSwagger(DocumentName).SerializeAsJson(Microsoft.OpenApi.OpenApiSpecVersion.OpenApi3_0));
        app.MapMethods(OpenApiPath, [HttpMethods.Get, HttpMethods.Head], () => Results.Text(document.Value, "application/json"));
        // Transcoded routes are more specific than this catch-all, and it keeps the demo page's fallback off the API.
        app.Map("/v1/{**path}", (HttpContext context) => Results.Json(
            new RestError((int)StatusCode.NotFound,
                $"no REST route {context.Request.Method} {context.Request.Path}; the routes are listed in {OpenApiPath}"),
            statusCode: StatusCodes.Status404NotFound));
    }

    /// <summary>The shape of transcoding's own error bodies (google.rpc.Status as JSON), so clients parse one kind of error.</summary>
    private sealed record RestError(int Code, string Message)
    {
        public IReadOnlyList<object> Details { get; } = [];
    }
}

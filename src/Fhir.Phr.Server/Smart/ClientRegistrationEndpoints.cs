using System.Text.Json;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// RFC 7591 dynamic client registration at <c>/auth/register</c>, where an administrator's
/// access token (scope <c>admin</c>) is the initial access token, and the administrators' client
/// API at <c>/admin/clients</c>. OpenIddict has no registration endpoint; both write to its
/// application store through <see cref="ClientRegistry"/>.
/// </summary>
internal static class ClientRegistrationEndpoints
{
    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapPost("/" + SmartEndpoints.Register, Register).RequireAuthorization(SmartSetup.AdminPolicy).DisableAntiforgery();

        var admin = app.MapGroup("/admin/clients").RequireAuthorization(SmartSetup.AdminPolicy).DisableAntiforgery();
        admin.MapGet("", List);
        admin.MapGet("/{clientId}", Get);
        admin.MapPost("", Create);
        admin.MapDelete("/{clientId}", Delete);
    }

    private static async Task<IResult> Register(HttpContext http, ClientRegistry registry, CancellationToken cancellationToken)
    {
        var metadata = await ReadAsync(http, cancellationToken);
        if (metadata is null)
            return Error("invalid_client_metadata", "The body must be a JSON object of client metadata (RFC 7591).");
        if (metadata.Administrator)
            return Error("invalid_client_metadata", "Administrator clients are created through the admin API.");
        return await CreateAsync(registry, metadata, "/admin/clients/", cancellationToken);
    }

    private static async Task<IResult> Create(HttpContext http, ClientRegistry registry, CancellationToken cancellationToken)
    {
        var metadata = await ReadAsync(http, cancellationToken);
        return metadata is null
            ? Error("invalid_client_metadata", "The body must be a JSON object of client metadata (RFC 7591).")
            : await CreateAsync(registry, metadata, "/admin/clients/", cancellationToken);
    }

    private static async Task<IResult> CreateAsync(ClientRegistry registry, ClientMetadata metadata, string location, CancellationToken cancellationToken)
    {
        try
        {
            var client = await registry.RegisterAsync(metadata, cancellationToken);
            return new WithLocation(Results.Json(client, statusCode: StatusCodes.Status201Created), location + client.ClientId);
        }
        catch (ClientRegistry.RegistrationException exception)
        {
            return Error(exception.Error, exception.Message);
        }
    }

    private static async Task<IResult> List(ClientRegistry registry, CancellationToken cancellationToken) =>
        Results.Json(await registry.ListAsync(cancellationToken));

    private static async Task<IResult> Get(string clientId, ClientRegistry registry, CancellationToken cancellationToken) =>
        await registry.DescribeAsync(clientId, cancellationToken) is { } client ? Results.Json(client) : Results.Problem(statusCode: 404, detail: "No such client.");

    private static async Task<IResult> Delete(string clientId, ClientRegistry registry, CancellationToken cancellationToken) =>
        await registry.DeleteAsync(clientId, cancellationToken) ? Results.NoContent() : Results.Problem(statusCode: 404, detail: "No such client.");

    private static async Task<ClientMetadata?> ReadAsync(HttpContext http, CancellationToken cancellationToken)
    {
        if (!http.Request.HasJsonContentType())
            return null;
        try
        {
            return await http.Request.ReadFromJsonAsync<ClientMetadata>(cancellationToken);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>RFC 7591 §3.2.2 error response.</summary>
    private static IResult Error(string error, string description) =>
        Results.Json(new Dictionary<string, string> { ["error"] = error, ["error_description"] = description }, statusCode: StatusCodes.Status400BadRequest);

    private sealed class WithLocation(IResult inner, string location) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers.Location = location;
            httpContext.Response.Headers.CacheControl = "no-store";
            return inner.ExecuteAsync(httpContext);
        }
    }
}

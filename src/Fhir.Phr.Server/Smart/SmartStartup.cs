using System.Text.Json;
using System.Text.Json.Serialization;
using Fhir.Phr.Core;
using Fhir.Phr.Server.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Start-up work of accounts and SMART: migrate <see cref="SmartDbContext"/> (its own history
/// table), create the roles, and on first start the administrator system client, whose
/// credentials go to <c>&lt;data&gt;/admin-client.json</c> (mode 0600) so that one curl gets a token.
/// </summary>
internal static partial class SmartStartup
{
    public const string AdminClientId = "phr-admin";

    internal sealed record AdminClientFile(
        [property: JsonPropertyName("client_id")] string ClientId,
        [property: JsonPropertyName("client_secret")] string ClientSecret,
        [property: JsonPropertyName("token_endpoint")] string TokenEndpoint,
        [property: JsonPropertyName("scope")] string Scope);

    public static string AdminClientPath(PhrOptions phr, SmartOptions smart) =>
        smart.AdminClientFile ?? Path.Combine(Path.GetFullPath(phr.DataDirectory), "admin-client.json");

    public static async Task PrepareSmartAsync(this WebApplication app)
    {
        var phr = app.Services.GetRequiredService<PhrOptions>();
        var smart = app.Services.GetRequiredService<SmartOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fhir.Phr.Smart");
        await using var scope = app.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<SmartDbContext>();
        await db.Database.MigrateAsync();

        var roles = scope.ServiceProvider.GetRequiredService<RoleManager<IdentityRole>>();
        foreach (var role in PhrRoles.All)
        {
            if (!await roles.RoleExistsAsync(role))
            {
                var created = await roles.CreateAsync(new IdentityRole(role));
                // Another node may have created it at the same moment.
                if (!created.Succeeded && !await roles.RoleExistsAsync(role))
                    throw new InvalidOperationException($"Creating the role {role} failed: {string.Join("; ", created.Errors.Select(e => e.Description))}");
            }
        }

        var path = AdminClientPath(phr, smart);
        var applications = scope.ServiceProvider.GetRequiredService<IOpenIddictApplicationManager>();
        var existing = await applications.FindByClientIdAsync(AdminClientId);
        if (File.Exists(path))
        {
            if (existing is null)
            {
                // The database was reset but the credentials file survived: register the same client again.
                var file = JsonSerializer.Deserialize<AdminClientFile>(await File.ReadAllBytesAsync(path))
                    ?? throw new InvalidOperationException($"'{path}' is empty.");
                await RegisterAdminAsync(scope.ServiceProvider, file.ClientSecret);
            }
            return;
        }
        if (existing is not null)
        {
            LogAdminFileMissing(logger, AdminClientId, path);
            return;
        }

        var client = await RegisterAdminAsync(scope.ServiceProvider, null);
        var content = new AdminClientFile(client.ClientId, client.ClientSecret!, smart.LinkBase + SmartEndpoints.Token, "system/*.cruds " + SmartScopes.Admin);
        if (SecretFile.TryCreate(path, JsonSerializer.SerializeToUtf8Bytes(content, new JsonSerializerOptions { WriteIndented = true })))
            LogAdminCreated(logger, client.ClientId, path);
    }

    private static async Task<RegisteredClient> RegisterAdminAsync(IServiceProvider services, string? secret)
    {
        var registry = services.GetRequiredService<ClientRegistry>();
        return await registry.RegisterAsync(new ClientMetadata
        {
            ClientName = "Fhir.Phr administrator",
            GrantTypes = [GrantTypes.ClientCredentials],
            TokenEndpointAuthMethod = ClientAuthenticationMethods.ClientSecretBasic,
            Scope = "system/*.cruds",
            Administrator = true,
        }, CancellationToken.None, AdminClientId, secret);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Created the administrator client {ClientId}; its credentials are in {Path}")]
    private static partial void LogAdminCreated(ILogger logger, string clientId, string path);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The administrator client {ClientId} exists but {Path} is missing; restore the file or delete the client to have a new one created")]
    private static partial void LogAdminFileMissing(ILogger logger, string clientId, string path);
}

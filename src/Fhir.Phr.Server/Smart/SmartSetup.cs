using Fhir.Phr.Core;
using Fhir.Phr.Core.Capabilities;
using Microsoft.AspNetCore.Authorization;
using Microsoft.EntityFrameworkCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using OpenIddict.Validation.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>The paths of the authorization server (relative to the FHIR base, which is the root).</summary>
internal static class SmartEndpoints
{
    public const string Authorize = "auth/authorize";
    public const string Token = "auth/token";
    public const string Introspect = "auth/introspect";
    public const string Revoke = "auth/revoke";
    public const string Register = "auth/register";
    public const string Launch = "auth/launch";
    public const string Jwks = ".well-known/jwks";
    public const string SmartConfiguration = ".well-known/smart-configuration";
}

/// <summary>
/// SMART App Launch 2.2 and Backend Services on OpenIddict: the authorization server (its EF Core
/// stores in <see cref="SmartDbContext"/>), local validation of access tokens on the FHIR API,
/// discovery, client registration, and the CORS policy browser apps need.
/// </summary>
internal static class SmartSetup
{
    public const string CorsPolicy = "smart-apps";
    public const string FhirPolicy = "fhir-bearer";
    public const string AdminPolicy = "smart-admin";

    /// <summary>The audience of every access token: this server's FHIR API.</summary>
    public const string FhirAudience = "urn:fhir-phr:fhir-api";

    public static IServiceCollection AddSmart(this IServiceCollection services, IConfiguration configuration, PhrOptions phr)
    {
        var smart = new SmartOptions();
        configuration.GetSection(SmartOptions.Section).Bind(smart);
        smart.ResolveLinkBase(configuration);
        services.AddSingleton(smart);
        services.AddSmartDatabase(phr);
        // OpenIddict logs every request's parameters (code verifiers among them) at Information.
        services.AddLogging(logging => logging.AddFilter("OpenIddict", LogLevel.Warning));
        var keys = SmartKeys.LoadOrCreate(smart.KeysFile ?? Path.Combine(phr.DataDirectory, "oauth-keys.json"));

        services.AddOpenIddict()
            .AddCore(core => core.UseEntityFrameworkCore().UseDbContext<SmartDbContext>())
            .AddServer(server =>
            {
                if (smart.Issuer is not null)
                    server.SetIssuer(smart.Issuer);
                server.SetAuthorizationEndpointUris(SmartEndpoints.Authorize)
                    .SetTokenEndpointUris(SmartEndpoints.Token)
                    .SetIntrospectionEndpointUris(SmartEndpoints.Introspect)
                    .SetRevocationEndpointUris(SmartEndpoints.Revoke)
                    .SetJsonWebKeySetEndpointUris(SmartEndpoints.Jwks);
                server.AllowAuthorizationCodeFlow().AllowRefreshTokenFlow().AllowClientCredentialsFlow();
                server.RequireProofKeyForCodeExchange();
                // Resource scopes are open-ended (granular ?category=...): SmartScopes decides what is granted.
                server.DisableScopeValidation().IgnoreScopePermissions();
                // Only so that introspection can authenticate callers by bearer token; see AuthenticateBearerIntrospection.
                server.AcceptAnonymousClients();
                server.RegisterScopes([.. SmartScopes.Advertised]);
                server.RegisterClaims(Claims.Subject, Claims.Issuer, SmartClaims.FhirUser);
                server.AddSigningKey(keys.Signing).AddEncryptionKey(keys.Encryption);
                server.SetAccessTokenLifetime(smart.AccessTokenLifetime)
                    .SetRefreshTokenLifetime(smart.OfflineRefreshTokenLifetime)
                    .SetAuthorizationCodeLifetime(TimeSpan.FromMinutes(2));
                server.Configure(options =>
                {
                    // SMART: S256 only, never plain; the code flow only.
                    options.CodeChallengeMethods.Clear();
                    options.CodeChallengeMethods.Add(CodeChallengeMethods.Sha256);
                    options.ResponseTypes.Clear();
                    options.ResponseTypes.Add(ResponseTypes.Code);
                });
                server.UseAspNetCore()
                    .EnableAuthorizationEndpointPassthrough()
                    .EnableTokenEndpointPassthrough()
                    // TLS is terminated in front of the server (or it is a local run on http://localhost); see docs.
                    .DisableTransportSecurityRequirement();
                ClientAssertionHandlers.Register(server);
                SmartServerHandlers.Register(server);
            })
            .AddValidation(validation =>
            {
                // JWT access tokens validated here, without a database read; see docs/smart-notes.md on revocation.
                validation.UseLocalServer();
                validation.AddAudiences(FhirAudience);
                if (smart.ValidateTokenEntries)
                    validation.EnableTokenEntryValidation();
                ValidatedTokenCache.Register(validation);
                validation.UseAspNetCore();
            });
        services.AddOptions<OpenIddictServerOptions>().Configure<TimeProvider>((options, time) => options.TimeProvider = time);

        services.AddAuthorizationBuilder()
            .AddPolicy(FhirPolicy, policy => policy
                .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireAuthenticatedUser())
            // Administration needs an administrator's token that was granted the admin scope, so
            // that an app acting for an administrator with data scopes cannot administer.
            .AddPolicy(AdminPolicy, policy => policy
                .AddAuthenticationSchemes(OpenIddictValidationAspNetCoreDefaults.AuthenticationScheme)
                .RequireClaim(Claims.Role, Accounts.PhrRoles.Administrator)
                .RequireAssertion(context => context.User.HasScope(SmartScopes.Admin)));
        services.AddCors(cors => cors.AddPolicy(CorsPolicy, policy => policy
            .AllowAnyOrigin()
            .AllowAnyHeader()
            .AllowAnyMethod()
            .WithExposedHeaders("Location", "Content-Location", "ETag", "Last-Modified", "WWW-Authenticate")));
        services.AddHttpClient(ClientJwks.HttpClientName);
        services.AddSingleton<ClientJwks>();
        services.AddSingleton<ValidatedTokenCache>();
        services.AddScoped<ClientRegistry>();
        services.AddScoped<SmartCallers>();
        services.AddScoped<SmartLaunches>();
        services.AddHostedService<ExpiredTokenPruner>();
        return services;
    }

    private static void AddSmartDatabase(this IServiceCollection services, PhrOptions phr)
    {
        var connectionString = phr.ResolveConnectionString();
        if (phr.Database == DatabaseProvider.PostgreSql)
        {
            services.AddDbContextPool<PostgresSmartDbContext>(db => db.UseNpgsql(connectionString, npgsql => npgsql.MigrationsHistoryTable(SmartDbContext.MigrationsHistoryTable)));
            services.AddScoped<SmartDbContext>(sp => sp.GetRequiredService<PostgresSmartDbContext>());
        }
        else
        {
            services.AddDbContextPool<SqliteSmartDbContext>(db => db
                .UseSqlite(connectionString, sqlite => sqlite.MigrationsHistoryTable(SmartDbContext.MigrationsHistoryTable).CommandTimeout(60))
                .AddInterceptors(new SqliteBusyTimeout()));
            services.AddScoped<SmartDbContext>(sp => sp.GetRequiredService<SqliteSmartDbContext>());
        }
    }

    /// <summary>Core's store and ours share one SQLite file: wait for the other's write lock instead of failing.</summary>
    private sealed class SqliteBusyTimeout : Microsoft.EntityFrameworkCore.Diagnostics.DbConnectionInterceptor
    {
        private const string Pragmas = "PRAGMA busy_timeout=30000; PRAGMA synchronous=NORMAL;";

        public override void ConnectionOpened(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData)
        {
            using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            command.ExecuteNonQuery();
        }

        public override async Task ConnectionOpenedAsync(System.Data.Common.DbConnection connection, Microsoft.EntityFrameworkCore.Diagnostics.ConnectionEndEventData eventData, CancellationToken cancellationToken = default)
        {
            await using var command = connection.CreateCommand();
            command.CommandText = Pragmas;
            await command.ExecuteNonQueryAsync(cancellationToken);
        }
    }

    /// <summary>
    /// CORS for browser apps, then authentication (OpenIddict answers its own endpoints here) and
    /// authorization. Call after the exception handler and before the endpoints.
    /// </summary>
    public static WebApplication UseSmart(this WebApplication app)
    {
        app.UseCors();
        app.UseAuthentication();
        app.UseAuthorization();
        app.UseMiddleware<FhirCallerMiddleware>();
        var smart = app.Services.GetRequiredService<SmartOptions>();
        app.Services.GetRequiredService<CapabilityStatementBuilder>().Contributors.Add(statement => SmartConfiguration.AddSecurity(statement, smart));
        return app;
    }

    /// <summary>The authorization server's own endpoints, discovery and client registration.</summary>
    public static IEndpointRouteBuilder MapSmart(this IEndpointRouteBuilder app)
    {
        app.MapGet("/" + SmartEndpoints.SmartConfiguration, SmartConfiguration.Get).RequireCors(CorsPolicy);
        AuthorizationEndpoints.Map(app);
        ClientRegistrationEndpoints.Map(app);
        LaunchEndpoints.Map(app);
        return app;
    }

    /// <summary>
    /// The group the FHIR, DICOMweb and ingest endpoints are mapped in: a valid bearer token is
    /// required (401 with WWW-Authenticate otherwise), the caller is handed to Core's access rules,
    /// and CORS is open to browser apps. <c>/metadata</c> stays public (SMART discovery).
    /// </summary>
    public static RouteGroupBuilder MapFhirApi(this IEndpointRouteBuilder app)
    {
        var group = app.MapGroup("");
        group.RequireAuthorization(FhirPolicy).RequireCors(CorsPolicy).WithMetadata(FhirCallerMiddleware.Marker);
        ((IEndpointConventionBuilder)group).Add(endpoint =>
        {
            if (endpoint is RouteEndpointBuilder { RoutePattern.RawText: "/metadata" or "metadata" })
                endpoint.Metadata.Add(new AllowAnonymousAttribute());
        });
        return group;
    }
}

using System.Collections.Immutable;
using System.Security.Claims;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Server.Accounts;
using Fhir.Phr.Server.Smart.Pages;
using Microsoft.AspNetCore;
using Microsoft.AspNetCore.Antiforgery;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Primitives;
using Microsoft.IdentityModel.Tokens;
using OpenIddict.Abstractions;
using OpenIddict.Server.AspNetCore;
using static OpenIddict.Abstractions.OpenIddictConstants;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// The two OpenIddict passthrough endpoints. OpenIddict has already validated each request
/// (client, exact redirect URI, PKCE S256, grant, code, refresh token, client authentication);
/// here the SMART decisions are made: the aud check, sign-in, the EHR launch context, the patient
/// picker and consent, which scopes are granted, and what the tokens and the response carry.
/// </summary>
internal static class AuthorizationEndpoints
{
    private const string DecisionField = AuthorizationFields.Decision;
    private const string GrantedScopeField = AuthorizationFields.GrantedScope;
    private const string PatientField = AuthorizationFields.Patient;

    /// <summary>Form fields of the consent page that are not authorization request parameters.</summary>
    public static readonly ImmutableHashSet<string> ConsentFields = [DecisionField, GrantedScopeField, PatientField, "__RequestVerificationToken"];

    public static void Map(IEndpointRouteBuilder app)
    {
        app.MapMethods("/" + SmartEndpoints.Authorize, [HttpMethods.Get, HttpMethods.Post], Authorize).DisableAntiforgery();
        app.MapPost("/" + SmartEndpoints.Token, Token).RequireCors(SmartSetup.CorsPolicy).DisableAntiforgery();
    }

    private static async Task<IResult> Authorize(
        HttpContext http,
        SmartOptions options,
        UserManager<PhrUser> users,
        IOpenIddictApplicationManager applications,
        SmartCallers callers,
        SmartLaunches launches,
        IAntiforgery antiforgery,
        CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not handle this authorization request.");
        var form = HttpMethods.IsPost(http.Request.Method) && http.Request.HasFormContentType ? await http.Request.ReadFormAsync(cancellationToken) : null;
        var deciding = form is not null && form.ContainsKey(DecisionField);

        // app-launch.md: aud is the FHIR base URL the app wants a token for; refusing others keeps
        // tokens from being phished for another server.
        var baseUrl = SmartConfiguration.BaseUrl(http.Request, options);
        var audience = (string?)request["aud"];
        if (string.IsNullOrEmpty(audience))
            return Refuse(Errors.InvalidRequest, "The aud parameter (the FHIR base URL the token is for) is required.");
        if (!string.Equals(audience.TrimEnd('/'), baseUrl.TrimEnd('/'), StringComparison.OrdinalIgnoreCase))
            return Refuse(Errors.InvalidRequest, $"aud '{audience}' is not this server's FHIR base URL {baseUrl.TrimEnd('/')}.");

        var session = await http.AuthenticateAsync(IdentityConstants.ApplicationScheme);
        var user = session.Succeeded ? await users.GetUserAsync(session.Principal!) : null;
        if (user is null || (!deciding && request.HasPromptValue(PromptValues.Login)))
        {
            if (request.HasPromptValue(PromptValues.None))
                return Refuse(Errors.LoginRequired, "The user is not signed in.");
            return Results.Redirect(AccountsSetup.LoginPath + "?returnUrl=" + Uri.EscapeDataString(ReturnUrl(http, request)));
        }

        string? launchPatient = null;
        if ((string?)request["launch"] is { Length: > 0 } launch)
        {
            launchPatient = await launches.ResolveAsync(launch, cancellationToken);
            if (launchPatient is null)
                return Refuse(Errors.InvalidRequest, "The launch parameter is unknown or has expired.");
        }

        var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
            ?? throw new InvalidOperationException("OpenIddict validated an unknown client.");
        var roles = await users.GetRolesAsync(user);
        var grantable = SmartScopes.Grantable(request.GetScopes(), ClientRegistry.AllowedScopes(await applications.GetPermissionsAsync(application, cancellationToken)),
            new HashSet<ScopeContext> { ScopeContext.Patient, ScopeContext.User }, mayAdminister: roles.Contains(PhrRoles.Administrator));
        if (launchPatient is null)
            grantable.Remove(SmartScopes.Launch);

        var caller = await callers.ForUserAsync(user, request.ClientId, grantable);
        var visible = await callers.PatientsVisibleToAsync(caller, cancellationToken);
        if (launchPatient is not null && !visible.Contains(launchPatient))
            return Refuse(Errors.AccessDenied, "The signed-in user cannot open the launch's patient record.");
        // Standalone launch: the user picks a patient only when there is a choice (a patient
        // account sees only its own record, which is then the context without asking).
        var pickPatient = launchPatient is null && grantable.Contains(SmartScopes.LaunchPatient);
        if (pickPatient && visible.Count == 0)
            return Refuse(Errors.AccessDenied, "The signed-in user has no patient record to open.");
        if (pickPatient && visible.Count == 1)
        {
            launchPatient = visible[0];
            pickPatient = false;
        }

        if (deciding)
        {
            if (!await antiforgery.IsRequestValidAsync(http))
                return Results.Text("The consent form has expired or did not come from this server. Go back to the app and start again.", "text/plain", statusCode: StatusCodes.Status400BadRequest);
            if (form![DecisionField] != "allow")
                return Refuse(Errors.AccessDenied, "The user declined to authorize the app.");
            var ticked = form[GrantedScopeField].OfType<string>().ToHashSet(StringComparer.Ordinal);
            var granted = grantable.Where(s => SmartScopes.Required.Contains(s) || ticked.Contains(s)).ToList();
            var patient = launchPatient;
            if (pickPatient)
            {
                patient = form[PatientField].FirstOrDefault();
                if (patient is null || !visible.Contains(patient))
                    return Refuse(Errors.AccessDenied, "No patient the user may open was chosen.");
            }
            else if (patient is null && caller.OwnPatient is { } own && granted.Any(s => SmartScope.TryParse(s, out var scope) && scope.Context == ScopeContext.Patient))
            {
                // A patient using patient/ scopes without launch/patient works on their own record.
                patient = own;
            }
            return TypedResults.SignIn(new ClaimsPrincipal(Identity(user, roles, granted, patient, baseUrl)), null, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
        }

        if (request.HasPromptValue(PromptValues.None))
            return Refuse(Errors.ConsentRequired, "The user has to approve the app.");
        return await ConsentAsync(http, request, application, applications, callers, antiforgery, grantable, pickPatient ? visible : [], launchPatient, user, cancellationToken);
    }

    private static async Task<IResult> ConsentAsync(
        HttpContext http,
        OpenIddictRequest request,
        object application,
        IOpenIddictApplicationManager applications,
        SmartCallers callers,
        IAntiforgery antiforgery,
        List<string> grantable,
        IReadOnlyList<string> patients,
        string? launchPatient,
        PhrUser user,
        CancellationToken cancellationToken)
    {
        List<ConsentPatient> choices = [];
        foreach (var id in patients.Take(200))
            choices.Add(new ConsentPatient(id, await callers.DescribePatientAsync(id, cancellationToken)));
        var tokens = antiforgery.GetAndStoreTokens(http);
        var model = new ConsentModel
        {
            Action = "/" + SmartEndpoints.Authorize,
            ClientName = await applications.GetDisplayNameAsync(application, cancellationToken) ?? request.ClientId!,
            ClientId = request.ClientId!,
            RedirectHost = Uri.TryCreate(request.RedirectUri, UriKind.Absolute, out var redirect) ? redirect.Authority : "",
            UserName = user.UserName!,
            Parameters = [.. request.GetParameters()
                .Where(p => !ConsentFields.Contains(p.Key))
                .SelectMany(p => ((StringValues)p.Value).ToArray().Select(v => new KeyValuePair<string, string>(p.Key, v ?? "")))],
            Scopes = [.. grantable.Select(s => new ConsentScope(s, SmartScopes.Describe(s), SmartScopes.Required.Contains(s)))],
            NotGranted = [.. request.GetScopes().Where(s => !grantable.Contains(s))],
            Patients = choices,
            LaunchPatient = launchPatient is null ? null : await callers.DescribePatientAsync(launchPatient, cancellationToken),
            AntiforgeryField = tokens.FormFieldName,
            AntiforgeryToken = tokens.RequestToken!,
        };
        http.Response.Headers.CacheControl = "no-store";
        http.Response.Headers["X-Frame-Options"] = "DENY";
        return new RazorComponentResult<Consent>(new Dictionary<string, object?> { [nameof(Consent.Model)] = model });
    }

    /// <summary>The principal behind the code (and later the tokens) of a user's authorization.</summary>
    private static ClaimsIdentity Identity(PhrUser user, IList<string> roles, IReadOnlyList<string> scopes, string? patient, string baseUrl)
    {
        var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
        identity.SetClaim(Claims.Subject, user.Id).SetClaim(Claims.Name, user.UserName);
        identity.SetScopes(scopes);
        identity.SetResources(SmartSetup.FhirAudience);
        if (patient is not null)
            identity.SetClaim(SmartClaims.Patient, patient);
        Refresh(identity, user, roles, baseUrl);
        return identity;
    }

    /// <summary>Account facts that may change between consent and a refresh: fhirUser and roles.</summary>
    private static void Refresh(ClaimsIdentity identity, PhrUser user, IList<string> roles, string baseUrl)
    {
        identity.SetClaim(SmartClaims.FhirUser, user.FhirUser is null ? null : baseUrl + user.FhirUser);
        // The administrator role rides only on tokens granted the admin scope (see SmartSetup.AdminPolicy).
        identity.SetClaims(Claims.Role, [.. roles.Where(r => r != PhrRoles.Administrator || identity.HasScope(SmartScopes.Admin))]);
        identity.SetDestinations(claim => claim.Type switch
        {
            Claims.Subject => [Destinations.AccessToken, Destinations.IdentityToken],
            Claims.Name => identity.HasScope(Scopes.Profile) ? [Destinations.AccessToken, Destinations.IdentityToken] : [Destinations.AccessToken],
            SmartClaims.FhirUser => identity.HasScope(SmartScopes.FhirUser) ? [Destinations.AccessToken, Destinations.IdentityToken] : [Destinations.AccessToken],
            SmartClaims.Patient or Claims.Role => [Destinations.AccessToken],
            _ => [],
        });
    }

    private static async Task<IResult> Token(HttpContext http, UserManager<PhrUser> users, IOpenIddictApplicationManager applications, AccountOptions accounts, SmartOptions options, CancellationToken cancellationToken)
    {
        var request = http.GetOpenIddictServerRequest() ?? throw new InvalidOperationException("OpenIddict did not handle this token request.");
        var baseUrl = SmartConfiguration.BaseUrl(http.Request, options);
        if (request.IsAuthorizationCodeGrantType() || request.IsRefreshTokenGrantType())
        {
            var principal = (await http.AuthenticateAsync(OpenIddictServerAspNetCoreDefaults.AuthenticationScheme)).Principal
                ?? throw new InvalidOperationException("OpenIddict validated a grant without a principal.");
            var user = principal.GetClaim(Claims.Subject) is { } subject ? await users.FindByIdAsync(subject) : null;
            if (user is null || await users.IsLockedOutAsync(user) || (accounts.RequireConfirmedEmail && !user.EmailConfirmed))
                return Refuse(Errors.InvalidGrant, "The account behind this grant no longer exists or cannot sign in.");
            var identity = new ClaimsIdentity(principal.Claims, TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            Refresh(identity, user, await users.GetRolesAsync(user), baseUrl);
            var lifetime = identity.HasScope(Scopes.OfflineAccess) ? options.OfflineRefreshTokenLifetime : options.OnlineRefreshTokenLifetime;
            identity.SetRefreshTokenLifetime(lifetime);
            return SignIn(identity);
        }
        if (request.IsClientCredentialsGrantType())
        {
            var application = await applications.FindByClientIdAsync(request.ClientId!, cancellationToken)
                ?? throw new InvalidOperationException("OpenIddict validated an unknown client.");
            var registered = ClientRegistry.AllowedScopes(await applications.GetPermissionsAsync(application, cancellationToken)).ToList();
            var administrator = ClientRegistry.IsAdministrator(await applications.GetPropertiesAsync(application, cancellationToken));
            var granted = SmartScopes.Grantable(request.GetScopes(), registered, new HashSet<ScopeContext> { ScopeContext.System }, administrator);
            if (granted.Count == 0)
                return Refuse(Errors.InvalidScope, $"None of the requested scopes is registered for this client; it may ask for: {string.Join(' ', registered.Append(administrator ? SmartScopes.Admin : "").Where(s => s.Length > 0))}.");
            var identity = new ClaimsIdentity(TokenValidationParameters.DefaultAuthenticationType, Claims.Name, Claims.Role);
            identity.SetClaim(Claims.Subject, request.ClientId).SetClaim(Claims.Name, await applications.GetDisplayNameAsync(application, cancellationToken) ?? request.ClientId);
            identity.SetScopes(granted);
            identity.SetResources(SmartSetup.FhirAudience);
            if (administrator && granted.Contains(SmartScopes.Admin))
                identity.SetClaims(Claims.Role, [PhrRoles.Administrator]);
            identity.SetAccessTokenLifetime(options.BackendAccessTokenLifetime);
            identity.SetDestinations(claim => claim.Type is Claims.Subject or Claims.Name or Claims.Role ? [Destinations.AccessToken] : []);
            return SignIn(identity);
        }
        return Refuse(Errors.UnsupportedGrantType, "Use authorization_code, refresh_token or client_credentials.");
    }

    /// <summary>
    /// Issues tokens. The token response carries the launch context (patient) and
    /// need_patient_banner (app-launch.md#response-5); OpenIddict adds Cache-Control: no-store and Pragma: no-cache.
    /// </summary>
    private static SignInHttpResult SignIn(ClaimsIdentity identity)
    {
        var properties = new AuthenticationProperties();
        if (identity.GetClaim(SmartClaims.Patient) is { } patient)
        {
            properties.SetParameter(SmartClaims.Patient, patient);
            properties.SetParameter("need_patient_banner", true);
        }
        return TypedResults.SignIn(new ClaimsPrincipal(identity), properties, OpenIddictServerAspNetCoreDefaults.AuthenticationScheme);
    }

    /// <summary>An OAuth error response (a redirect to the client for authorize, JSON for token).</summary>
    private static ForbidHttpResult Refuse(string error, string description) =>
        TypedResults.Forbid(new AuthenticationProperties(new Dictionary<string, string?>
        {
            [OpenIddictServerAspNetCoreConstants.Properties.Error] = error,
            [OpenIddictServerAspNetCoreConstants.Properties.ErrorDescription] = description,
        }), [OpenIddictServerAspNetCoreDefaults.AuthenticationScheme]);

    /// <summary>The authorization request as a local GET URL to come back to after signing in (prompt=login dropped, so it is asked once).</summary>
    private static string ReturnUrl(HttpContext http, OpenIddictRequest request)
    {
        var parameters = request.GetParameters()
            .Where(p => !ConsentFields.Contains(p.Key))
            .SelectMany(p => ((StringValues)p.Value).ToArray().Select(v => (p.Key, Value: v ?? "")))
            .Where(p => !(p.Key == Parameters.Prompt && p.Value == PromptValues.Login))
            .Select(p => new KeyValuePair<string, StringValues>(p.Key, p.Value));
        return http.Request.PathBase + "/" + SmartEndpoints.Authorize + QueryString.Create(parameters);
    }
}

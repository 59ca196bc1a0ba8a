using System.Security.Claims;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Server.Accounts;
using Microsoft.AspNetCore;
using OpenIddict.Abstractions;
using OpenIddict.Server;
using static OpenIddict.Abstractions.OpenIddictConstants;
using static OpenIddict.Server.OpenIddictServerEvents;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Where SMART asks more of the token, introspection and sign-in steps than OAuth does, as
/// OpenIddict event handlers (the protocol itself stays OpenIddict's).
/// </summary>
internal static class SmartServerHandlers
{
    /// <summary>The introspecting caller authenticated by a bearer token, kept on the transaction.</summary>
    private const string BearerCallerProperty = "smart:bearer-caller";

    public static void Register(OpenIddictServerBuilder server)
    {
        server.AddEventHandler<ProcessAuthenticationContext>(handler => handler
            .UseScopedHandler<AuthenticateBearerIntrospection>()
            .SetOrder(OpenIddictServerHandlers.ValidateClientId.Descriptor.Order - 500)
            .SetType(OpenIddictServerHandlerType.Custom));
        server.AddEventHandler<HandleIntrospectionRequestContext>(handler => handler
            .UseSingletonHandler<AttachSmartIntrospectionClaims>()
            .SetOrder(OpenIddictServerHandlers.Introspection.AttachApplicationClaims.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom));
        server.AddEventHandler<ProcessSignInContext>(handler => handler
            .UseSingletonHandler<IssueRefreshTokensForOnlineAccess>()
            .SetOrder(OpenIddictServerHandlers.EvaluateGeneratedTokens.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom));
        server.AddEventHandler<ProcessSignInContext>(handler => handler
            .UseSingletonHandler<AlwaysReturnScope>()
            .SetOrder(OpenIddictServerHandlers.AttachSignInParameters.Descriptor.Order + 500)
            .SetType(OpenIddictServerHandlerType.Custom));
    }

    /// <summary>
    /// Anonymous clients are accepted (the server option) only so that introspection can be
    /// called with a bearer token, as token-introspection.html requires; every other endpoint still
    /// needs a client_id, and an anonymous introspection needs a valid access token.
    /// </summary>
    internal sealed class AuthenticateBearerIntrospection(IOpenIddictServerDispatcher dispatcher) : IOpenIddictServerHandler<ProcessAuthenticationContext>
    {
        public async ValueTask HandleAsync(ProcessAuthenticationContext context)
        {
            if (!string.IsNullOrEmpty(context.ClientId))
                return;
            switch (context.EndpointType)
            {
                case OpenIddictServerEndpointType.Token or OpenIddictServerEndpointType.Revocation:
                    context.Reject(Errors.InvalidClient, "The client_id parameter is required.");
                    return;
                case OpenIddictServerEndpointType.Introspection:
                    break;
                default:
                    return;
            }

            var authorization = context.Transaction.GetHttpRequest()?.Headers.Authorization.ToString();
            if (authorization is null || !authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
            {
                context.Reject(Errors.InvalidClient, "Authenticate as a client, or send an access token as Authorization: Bearer.");
                return;
            }
            var validation = new ValidateTokenContext(context.Transaction)
            {
                Token = authorization["Bearer ".Length..].Trim(),
                ValidTokenTypes = { TokenTypeIdentifiers.AccessToken },
            };
            await dispatcher.DispatchAsync(validation);
            if (validation.IsRejected || validation.Principal is null)
            {
                context.Reject(Errors.InvalidClient, "The bearer token is not a valid access token.");
                return;
            }
            context.Transaction.Properties[BearerCallerProperty] = validation.Principal;
        }
    }

    /// <summary>
    /// token-introspection.html: an active response carries scope, client_id, exp, the launch
    /// context (patient) and, for tokens issued with an id_token, iss, sub and fhirUser.
    /// OpenIddict leaves scope and custom claims out unless the caller is an audience of the
    /// token, so they are added here for authorised callers: a client introspecting its own token
    /// (OpenIddict has already refused others' tokens to it), or a bearer caller that is a backend
    /// service (system/ scopes) or an administrator. Bearer callers of other kinds see only their
    /// own client's tokens; anything else is reported inactive.
    /// </summary>
    internal sealed class AttachSmartIntrospectionClaims : IOpenIddictServerHandler<HandleIntrospectionRequestContext>
    {
        public ValueTask HandleAsync(HandleIntrospectionRequestContext context)
        {
            var token = context.GenericTokenPrincipal;
            if (token is null)
                return ValueTask.CompletedTask;
            if (context.Transaction.Properties.TryGetValue(BearerCallerProperty, out var value) && value is ClaimsPrincipal caller && !MayIntrospectAny(caller))
            {
                var callerClient = SmartClaims.ClientId(caller);
                var tokenClient = SmartClaims.ClientId(token);
                if (callerClient is null || callerClient != tokenClient)
                {
                    context.Reject(Errors.InvalidToken, "This caller may only introspect its own client's tokens.");
                    return ValueTask.CompletedTask;
                }
            }
            if (!token.HasTokenType(TokenTypeIdentifiers.AccessToken) && !token.HasTokenType(TokenTypeIdentifiers.RefreshToken))
                return ValueTask.CompletedTask;

            context.Scopes.UnionWith(token.GetScopes());
            context.ClientId ??= SmartClaims.ClientId(token);
            if (token.GetClaim(SmartClaims.Patient) is { } patient)
                context.Claims[SmartClaims.Patient] = patient;
            if (token.GetClaim(SmartClaims.FhirUser) is { } fhirUser)
                context.Claims[SmartClaims.FhirUser] = fhirUser;
            return ValueTask.CompletedTask;
        }

        private static bool MayIntrospectAny(ClaimsPrincipal caller) =>
            caller.GetScopes().Any(s => SmartScope.TryParse(s, out var scope) && scope.Context == ScopeContext.System)
            || (caller.HasScope(SmartScopes.Admin) && caller.GetClaims(Claims.Role).Contains(PhrRoles.Administrator));
    }

    /// <summary>SMART's <c>online_access</c> also earns a refresh token (its lifetime is set by the token endpoint).</summary>
    internal sealed class IssueRefreshTokensForOnlineAccess : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.EndpointType == OpenIddictServerEndpointType.Token && !context.Request.IsTokenExchangeGrantType()
                && context.Principal is { } principal && principal.HasScope(SmartScopes.OnlineAccess))
            {
                context.GenerateRefreshToken = true;
                context.IncludeRefreshToken = true;
            }
            return ValueTask.CompletedTask;
        }
    }

    /// <summary>SMART requires <c>scope</c> in every token response; OAuth lets OpenIddict omit it when it equals the request.</summary>
    internal sealed class AlwaysReturnScope : IOpenIddictServerHandler<ProcessSignInContext>
    {
        public ValueTask HandleAsync(ProcessSignInContext context)
        {
            if (context.IncludeAccessToken && string.IsNullOrEmpty(context.Response.Scope) && context.AccessTokenPrincipal is { } principal)
                context.Response.Scope = string.Join(' ', principal.GetScopes());
            return ValueTask.CompletedTask;
        }
    }
}

/// <summary>The claims SMART adds to our tokens, and reading the client a token was issued to.</summary>
internal static class SmartClaims
{
    /// <summary>The launch patient's id (the token response's <c>patient</c>).</summary>
    public const string Patient = "patient";

    /// <summary>The user's own resource as an absolute URL (SMART's <c>fhirUser</c>).</summary>
    public const string FhirUser = "fhirUser";

    public static string? ClientId(ClaimsPrincipal principal) =>
        principal.GetClaim(Claims.ClientId) ?? principal.GetClaim(Claims.AuthorizedParty) ?? principal.GetPresenters().FirstOrDefault();
}

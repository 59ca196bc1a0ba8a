namespace Fhir.Phr.Core.Access;

/// <summary>
/// Who presented a validated token: the account (or client, for backend services), the scopes
/// it was granted, the launch context and the account's roles. Built by the host from the
/// token's claims and handed to <see cref="AccessAuthenticator"/>.
/// </summary>
/// <param name="Subject">The account id (user) or client id (backend service).</param>
/// <param name="ClientId">The OAuth client the token was issued to.</param>
/// <param name="Scopes">Every granted scope; only resource scopes (<see cref="SmartScope"/>) grant data access.</param>
public sealed record Caller(string Subject, string? ClientId, IReadOnlyList<string> Scopes)
{
    /// <summary>The patient in the launch context (the token response's <c>patient</c>), an id.</summary>
    public string? Patient { get; init; }

    /// <summary>The user's own FHIR resource, e.g. <c>Patient/123</c> for a patient account.</summary>
    public string? FhirUser { get; init; }

    /// <summary>The account's user name (or the client's name), as people know it; for audit records.</summary>
    public string? Name { get; init; }

    /// <summary>Account roles: physician, nurse, relative, friend, emergency, administrator.</summary>
    public IReadOnlyList<string> Roles { get; init; } = [];

    /// <summary>The id of the Patient the user's own record is, when the fhirUser is a Patient.</summary>
    public string? OwnPatient =>
        FhirUser is { } user && user.StartsWith("Patient/", StringComparison.Ordinal) ? user["Patient/".Length..] : null;
}

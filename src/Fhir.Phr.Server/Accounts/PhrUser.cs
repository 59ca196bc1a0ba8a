using Microsoft.AspNetCore.Identity;

namespace Fhir.Phr.Server.Accounts;

/// <summary>
/// An account. A patient account owns a Patient resource, which is its SMART <c>fhirUser</c>
/// (created at registration or linked by an administrator); accounts carry roles
/// (<see cref="PhrRoles"/>) that the access rules turn into attributes.
/// </summary>
internal sealed class PhrUser : IdentityUser
{
    /// <summary>The account's own FHIR resource as a relative reference, e.g. <c>Patient/123</c>.</summary>
    public string? FhirUser { get; set; }

    public DateTime CreatedAt { get; set; }
}

/// <summary>The account roles of the PHR.</summary>
internal static class PhrRoles
{
    public const string Physician = "physician";
    public const string Nurse = "nurse";
    public const string Relative = "relative";
    public const string Friend = "friend";
    public const string Emergency = "emergency";
    public const string Administrator = "administrator";

    public static IReadOnlyList<string> All { get; } = [Physician, Nurse, Relative, Friend, Emergency, Administrator];

    /// <summary>
    /// Roles a person may take when registering. They reach nothing until a patient shares with
    /// them; the others (clinical roles, break-glass, administration) only an administrator gives.
    /// </summary>
    public static IReadOnlyList<string> SelfService { get; } = [Relative, Friend];
}

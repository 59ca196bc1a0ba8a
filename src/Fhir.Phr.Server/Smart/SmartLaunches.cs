using System.Security.Cryptography;
using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Server.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// EHR launch contexts: the opaque <c>launch</c> values (app-launch.md#launch-app-ehr-launch)
/// that our API mints for a patient, and that the authorize endpoint turns back into a patient.
/// </summary>
internal sealed class SmartLaunches(SmartDbContext db, SmartOptions options, TimeProvider time)
{
    public async Task<(string Launch, DateTime ExpiresAt)> MintAsync(string patientId, string createdBy, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var launch = new SmartLaunch
        {
            Id = Convert.ToBase64String(RandomNumberGenerator.GetBytes(24)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
            PatientId = patientId,
            CreatedBy = createdBy,
            CreatedAt = now,
            ExpiresAt = now + options.LaunchLifetime,
        };
        db.Launches.Add(launch);
        await db.SaveChangesAsync(cancellationToken);
        return (launch.Id, launch.ExpiresAt);
    }

    /// <summary>The launch's patient, or null when the value is unknown or expired.</summary>
    public async Task<string?> ResolveAsync(string launch, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return await db.Launches.AsNoTracking().Where(l => l.Id == launch && l.ExpiresAt > now).Select(l => l.PatientId).FirstOrDefaultAsync(cancellationToken);
    }

    public Task<int> PruneAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow().UtcDateTime;
        return db.Launches.Where(l => l.ExpiresAt <= now).ExecuteDeleteAsync(cancellationToken);
    }
}

/// <summary>
/// Callers seen from the authorization server: a signed-in account as Core's <see cref="Caller"/>,
/// the patients it may choose from, and their names for the picker.
/// </summary>
internal sealed class SmartCallers(UserManager<PhrUser> users, AccessAuthenticator authenticator, ResourceService resources)
{
    public async Task<Caller> ForUserAsync(PhrUser user, string? clientId, IReadOnlyList<string> scopes) =>
        new(user.Id, clientId, scopes)
        {
            FhirUser = user.FhirUser,
            Roles = [.. await users.GetRolesAsync(user)],
        };

    public Task<IReadOnlyList<string>> PatientsVisibleToAsync(Caller caller, CancellationToken cancellationToken) =>
        authenticator.PatientsVisibleToAsync(caller, cancellationToken);

    /// <summary>"Given Family (born 1974-12-25)" for the picker; the id when the record cannot be read.</summary>
    public async Task<string> DescribePatientAsync(string id, CancellationToken cancellationToken)
    {
        try
        {
            if ((await resources.ReadAsync("Patient", id, cancellationToken)).ToPoco() is Hl7.Fhir.Model.Patient patient)
            {
                var name = patient.Name.FirstOrDefault();
                var text = name is null ? "(no name)" : string.Join(' ', name.Given.Append(name.Family).Where(s => !string.IsNullOrEmpty(s)));
                return patient.BirthDate is { } born ? $"{text} (born {born})" : text;
            }
        }
        catch (Core.Errors.FhirProblem)
        {
            // Deleted or unreadable: the id still identifies it.
        }
        return "Patient/" + id;
    }
}

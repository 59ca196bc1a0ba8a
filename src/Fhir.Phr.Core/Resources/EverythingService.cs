using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Storage;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Resources;

/// <summary>
/// Patient/[id]/$everything (R4 patient-operation-everything.html): the patient and every
/// current resource of its record — what belongs to it by the Patient compartment (documents,
/// studies), the Binaries kept for them and the AuditEvents about it — within the caller's access.
/// </summary>
public sealed class EverythingService(PhrDbContext db, ResourceService resources, AccessFilter accessFilter)
{
    public async Task<IReadOnlyList<StoredResource>> EverythingAsync(string patientId, DateTime? since, CancellationToken cancellationToken)
    {
        var patient = await resources.ReadAsync("Patient", patientId, cancellationToken);
        var rows = db.Resources.AsNoTracking()
            .Where(r => r.Owner == patientId && r.SupersededAt == null && !r.IsDeleted && r.ResourceType != "Patient");
        if (since is { } s)
            rows = rows.Where(r => r.LastUpdated >= s);
        var types = SearchParameterRegistry.SupportedTypes.Where(t => t != "Patient" && accessFilter.Allows(AccessAction.Read, t)).ToList();
        rows = accessFilter.Apply(rows.Where(r => types.Contains(r.ResourceType)), AccessAction.Read, types);
        var found = await rows.OrderBy(r => r.ResourceType).ThenBy(r => r.ResourceId).ToListAsync(cancellationToken);
        return [patient, .. found.Select(resources.Open)];
    }
}

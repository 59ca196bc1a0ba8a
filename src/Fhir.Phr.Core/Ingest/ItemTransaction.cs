using Fhir.Phr.Core.Search;
using Fhir.Phr.Import.Ccda;
using Fhir.Phr.Import.Documents;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Ingest;

/// <summary>
/// Turns one converted item (its Patients and the resources about them) into the FHIR transaction that stores it: by the
/// `$ingest` job, and by a review decision for an item that was held.
/// </summary>
internal static class ItemTransaction
{
    /// <summary>A stored patient an incoming one was linked to, as read (its version guards the identifiers' update).</summary>
    public sealed record Link(string Id, int Version, Patient Stored);

    /// <summary>
    /// Patients in <paramref name="linked"/> are not stored again: what refers to them refers to the stored patient, which
    /// gains the incoming identifiers of systems it has none of (so the sender's later messages and documents find it by
    /// identifier). The others are created unless one with the same first identifier exists (If-None-Exist, which also keeps two concurrent
    /// jobs from creating the same patient twice). References by identifier to a patient of this item become literal
    /// references to it.
    /// </summary>
    public static Bundle Build(IReadOnlyList<Resource> produced, Guid jobId, IReadOnlyDictionary<Patient, Link> linked)
    {
        var transaction = new Bundle { Type = Bundle.BundleType.Transaction };
        var patientUrls = new Dictionary<(string?, string?), string>();
        foreach (var patient in produced.OfType<Patient>())
        {
            var url = linked.TryGetValue(patient, out var link) ? "Patient/" + link.Id : "urn:uuid:" + Guid.NewGuid();
            foreach (var identifier in patient.Identifier)
                patientUrls.TryAdd((identifier.System, identifier.Value), url);
            if (link is not null)
            {
                if (WithNewIdentifiers(link.Stored, patient) is { } updated)
                {
                    // R4 http.html#concurrency: If-Match keeps an update made meanwhile; the item is then rejected, not merged blindly.
                    transaction.Entry.Add(new Bundle.EntryComponent
                    {
                        FullUrl = url,
                        Resource = updated,
                        Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = url, IfMatch = $"W/\"{link.Version}\"" },
                    });
                }
                continue;
            }
            var first = patient.Identifier.FirstOrDefault();
            patient.Meta ??= new Meta();
            patient.Meta.Source ??= $"urn:fhir-phr:ingest:{jobId}";
            transaction.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = url,
                Resource = patient,
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.POST,
                    Url = "Patient",
                    IfNoneExist = first is null ? null : $"identifier={SearchQueryParser.EscapeValue(first.System)}|{SearchQueryParser.EscapeValue(first.Value)}",
                },
            });
        }
        foreach (var resource in produced.Where(r => r is not Patient))
        {
            if (resource is DocumentReference { Subject.Identifier: { } subject } document)
            {
                // The patient of this item, or else the one stored with that identifier (a
                // conditional reference: none or several matches reject the item). What the
                // converter showed about the link (display, confidence) stays on it.
                document.Subject = new ResourceReference(patientUrls.TryGetValue((subject.System, subject.Value), out var patientUrl)
                    ? patientUrl
                    : $"Patient?identifier={SearchQueryParser.EscapeValue(subject.System)}|{SearchQueryParser.EscapeValue(subject.Value)}")
                {
                    Display = document.Subject.Display,
                    Extension = document.Subject.Extension,
                };
            }
            transaction.Entry.Add(new Bundle.EntryComponent
            {
                Resource = resource,
                Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = resource.TypeName, IfNoneExist = DocumentIdentity(resource) },
            });
        }
        return transaction;
    }

    // Only identifiers of a system the stored patient lacks are added: one of a system it has with another value contradicts
    // the link (the matcher weighs that against it), so it is left for a person, never overwritten.
    private static Patient? WithNewIdentifiers(Patient stored, Patient incoming)
    {
        var added = incoming.Identifier
            .Where(i => !string.IsNullOrEmpty(i.System) && !string.IsNullOrEmpty(i.Value) && !stored.Identifier.Any(s => s.System == i.System))
            .DistinctBy(i => i.System)
            .ToList();
        if (added.Count == 0)
            return null;
        var updated = (Patient)stored.DeepCopy();
        updated.Identifier.AddRange(added.Select(i => (Identifier)i.DeepCopy()));
        return updated;
    }

    // A C-CDA document (ClinicalDocument/id; a new version gets a new id and says whom it replaces) or an uploaded file (its
    // content hash) is stored once however often it is sent; R4's DocumentReference "identifier" search covers masterIdentifier
    // and identifier. HL7 v2 documents are left out: an MDM edit (T08) reuses the document number with new content.
    private static string? DocumentIdentity(Resource resource) =>
        resource is DocumentReference document
            && document.Meta?.Tag.Any(t => t.System == CcdaToFhir.ConverterTagSystem && t.Code is CcdaToFhir.ConverterTagCode or DocumentToFhir.ConverterTagCode) == true
            && (document.MasterIdentifier ?? document.Identifier.FirstOrDefault()) is { Value: not null } id
            ? $"identifier={SearchQueryParser.EscapeValue(id.System)}|{SearchQueryParser.EscapeValue(id.Value)}"
            : null;
}

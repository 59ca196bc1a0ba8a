using System.Net;
using System.Text;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Import.Ccda;
using Fhir.Phr.Import.Csv;
using Fhir.Phr.Import.Documents;
using Fhir.Phr.Import.Hl7v2;
using Fhir.Phr.Import.Ndjson;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Core.Ingest;

/// <summary>
/// `$ingest` (issue #5): accepts a file, keeps the original as an encrypted Binary, and in a
/// background job turns it into FHIR resources. Each item (an HL7 v2 message, a FHIR resource
/// or bundle) is stored in its own transaction, so one bad item is reported with its position
/// and the rest still land. Patients are matched on identifier (conditional create), and the
/// produced resources reference them literally.
/// </summary>
public sealed class IngestService(PhrDbContext db, ResourceService resources, BundleProcessor bundles, TimeProvider time)
{
    public const string Hl7v2ContentType = "x-application/hl7-v2+er7";
    public const string CsvContentType = "text/csv";
    public const string CcdaContentType = CcdaToFhir.ContentType;
    public const string NdjsonContentType = "application/fhir+ndjson";

    /// <summary>Files read by <see cref="DocumentToFhir"/>: the file is the document, its text says whose it is.</summary>
    private static readonly HashSet<string> DocumentContentTypes = ["application/pdf", "text/plain", "image/jpeg", "image/png"];

    /// <summary>Stores the upload and records a queued job; the caller enqueues <see cref="RunAsync"/>.</summary>
    public async Task<IngestJob> AcceptAsync(byte[] content, string? contentType, string? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(content);
        if (content.Length == 0)
            throw FhirProblem.BadRequest("$ingest needs a file in the request body.");
        var kind = Sniff(content, contentType);
        if (kind == CsvContentType && string.IsNullOrWhiteSpace(source))
            throw FhirProblem.BadRequest("CSV identifiers carry no system: name the sending system with ?source=<name>.", "source");
        if (DocumentContentTypes.Contains(kind) && string.IsNullOrWhiteSpace(source))
            throw FhirProblem.BadRequest("Identifiers read from a document's text carry no system: name the sending system with ?source=<name>.", "source");
        var binary = await resources.CreateAsync(new Binary { ContentType = kind, Data = content }, cancellationToken);
        var job = new IngestJob
        {
            Id = Guid.NewGuid(),
            SourceBinaryId = binary.Resource.Id,
            ContentType = kind,
            Source = source,
            Status = IngestStatus.Queued,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.IngestJobs.Add(job);
        await db.SaveChangesAsync(cancellationToken);
        return job;
    }

    public Task<IngestJob?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.IngestJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);

    // Content-Type when it names a format we read; otherwise the first bytes decide.
    private static string Sniff(byte[] content, string? contentType)
    {
        var media = contentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (media is Hl7v2ContentType or "application/hl7-v2" or "x-application/hl7-v2")
            return Hl7v2ContentType;
        if (media is CsvContentType or "application/csv")
            return CsvContentType;
        if (media is CcdaContentType)
            return CcdaContentType;
        // XML is FHIR unless its root is a CDA ClinicalDocument (C-CDA is often sent as plain application/xml).
        if (media is "application/xml" or "text/xml" or "application/fhir+xml")
            return CcdaToFhir.IsClinicalDocument(content) ? CcdaContentType : "application/fhir+xml";
        if (media is "application/fhir+json" or "application/json")
            return "application/fhir+json";
        if (media is NdjsonContentType or "application/x-ndjson" or "application/ndjson")
            return NdjsonContentType;
        if (media is not null && DocumentContentTypes.Contains(media))
            return media;
        var head = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 64)).TrimStart('\uFEFF', ' ', '\r', '\n', '\t', '\v');
        if (head.StartsWith("MSH", StringComparison.Ordinal) || head.StartsWith("FHS", StringComparison.Ordinal) || head.StartsWith("BHS", StringComparison.Ordinal))
            return Hl7v2ContentType;
        if (head.StartsWith('{'))
            return IsNdjson(content) ? NdjsonContentType : "application/fhir+json";
        if (head.StartsWith('<'))
            return CcdaToFhir.IsClinicalDocument(content) ? CcdaContentType : "application/fhir+xml";
        // Binary formats by their signature; text without a recognisable shape stays unknown, as it could be anything.
        if (DocumentToFhir.Sniff(content) is { } document && document != "text/plain")
            return document;
        throw FhirProblem.Of(HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
            $"$ingest cannot tell what this file is (Content-Type {contentType ?? "none"}); it takes HL7 v2 (ER7), CSV, C-CDA, PDF, JPEG, PNG, plain text and FHIR JSON, XML or ndjson.");
    }

    // ndjson: the first line is a whole JSON object and another line follows (a pretty-printed resource's first line is "{").
    private static bool IsNdjson(byte[] content)
    {
        var lines = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 64 * 1024)).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 && lines[0].TrimStart('\uFEFF').StartsWith('{') && lines[0].EndsWith('}');
    }

    /// <summary>The background job: converts and stores every item, recording progress and the outcome.</summary>
    public async Task RunAsync(Guid jobId, CancellationToken cancellationToken)
    {
        var job = await db.IngestJobs.FirstOrDefaultAsync(j => j.Id == jobId, cancellationToken)
            ?? throw new InvalidOperationException($"Ingest job {jobId} does not exist.");
        if (job.Status is IngestStatus.Completed or IngestStatus.Failed)
            return;
        job.Status = IngestStatus.Running;
        await SaveAsync(job, cancellationToken);

        var outcome = new OperationOutcome();
        try
        {
            var source = (Binary)(await resources.ReadAsync("Binary", job.SourceBinaryId, cancellationToken)).ToPoco();
            var items = Items(source.Data ?? [], job, outcome);
            job.ItemsTotal = items.Count;
            await SaveAsync(job, cancellationToken);
            for (var i = 0; i < items.Count; i++)
            {
                await StoreItemAsync(items[i], i, job, outcome, cancellationToken);
                job.ItemsDone = i + 1;
                await SaveAsync(job, cancellationToken);
            }
            job.Status = IngestStatus.Completed;
        }
        catch (FhirProblem problem)
        {
            outcome.Issue.AddRange(problem.Outcome.Issue);
            job.Status = IngestStatus.Failed;
        }
        job.CompletedAt = time.GetUtcNow().UtcDateTime;
        job.ResultJson = Encoding.UTF8.GetString(FhirFormats.SerializeJson(outcome));
        await SaveAsync(job, cancellationToken);
    }

    // Storing resources clears the shared change tracker, so the job row is attached anew each time.
    private async Task SaveAsync(IngestJob job, CancellationToken cancellationToken)
    {
        db.IngestJobs.Update(job);
        await db.SaveChangesAsync(cancellationToken);
    }

    private sealed record Item(IReadOnlyList<Resource> Resources, string Position);

    private static List<Item> Items(byte[] content, IngestJob job, OperationOutcome outcome)
    {
        var contentType = job.ContentType;
        if (contentType == CsvContentType)
            return CsvItems(content, job, outcome);
        if (contentType == CcdaContentType)
            return CcdaItems(content, job, outcome);
        if (contentType == NdjsonContentType)
            return NdjsonItems(content, outcome);
        if (DocumentContentTypes.Contains(contentType))
            return DocumentItems(content, job, outcome);
        if (contentType == Hl7v2ContentType)
        {
            // Messages that parse are converted even when others in the file do not.
            _ = Hl7Parser.TryParse(content, out var messages, out var parseIssues);
            foreach (var issue in parseIssues.Where(i => i.Severity == Hl7IssueSeverity.Error))
                outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Structure, $"message {issue.MessageIndex}", issue.ToString()));
            var items = new List<Item>();
            for (var i = 0; i < messages.Count; i++)
            {
                var converted = Hl7v2ToFhir.Convert(messages[i]);
                foreach (var issue in converted.Issues.Where(x => x.Severity == Hl7IssueSeverity.Error))
                    outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Invalid, $"message {i}", issue.ToString()));
                if (converted.Resources.Count > 0 && converted.Succeeded)
                    items.Add(new Item(converted.Resources, $"message {i}"));
            }
            return items;
        }
        var resource = FhirFormats.Parse(content, contentType.EndsWith("xml", StringComparison.Ordinal) ? FhirFormat.Xml : FhirFormat.Json);
        return resource is Bundle { Type: Bundle.BundleType.Transaction or Bundle.BundleType.Batch } bundle
            ? [new Item([bundle], "bundle")]
            : resource is Bundle collection
                ? collection.Entry.Where(e => e.Resource is not null).Select((e, i) => new Item([e.Resource!], $"entry {i}")).ToList()
                : [new Item([resource], "resource")];
    }

    // A header naming a file column marks a document index; anything else is a patient roster.
    private static List<Item> CsvItems(byte[] content, IngestJob job, OperationOutcome outcome)
    {
        var options = new CsvImportOptions { Source = job.Source ?? "upload" };
        var header = Encoding.UTF8.GetString(content, 0, Math.Min(content.Length, 1024)).Split('\n')[0].ToLowerInvariant();
        using var stream = new MemoryStream(content, writable: false);
        var result = header.Contains("file", StringComparison.Ordinal)
            ? CsvDocumentIndexConverter.Convert(stream, options)
            : CsvPatientConverter.Convert(stream, options);
        foreach (var issue in result.Issues.Where(i => i.Severity == CsvIssueSeverity.Error))
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Invalid, $"line {issue.Line}", issue.ToString()));
        return result.Resources.Select((r, i) => new Item([r], $"record {i + 1}")).ToList();
    }

    // One C-CDA document is one item: its Patient(s) and the DocumentReference, stored together.
    private static List<Item> CcdaItems(byte[] content, IngestJob job, OperationOutcome outcome)
    {
        _ = CcdaToFhir.TryConvert(content, out var result);
        foreach (var issue in result.Issues.Where(i => i.Severity >= CcdaIssueSeverity.Warning))
            outcome.Issue.Add(Issue(Severity(issue.Severity == CcdaIssueSeverity.Error), OperationOutcome.IssueType.Invalid, issue.Line > 0 ? $"line {issue.Line}" : "document", issue.ToString()));
        if (!result.Succeeded)
            return [];
        foreach (var document in result.Resources.OfType<DocumentReference>())
            KeepOriginal(document, job, outcome);
        return [new Item(result.Resources, "document")];
    }

    // A document whose text names no patient cannot be linked by a machine: it is rejected with the reason, and the original
    // stays stored as the job's Binary for a person to link (#5 review queue).
    private static List<Item> DocumentItems(byte[] content, IngestJob job, OperationOutcome outcome)
    {
        var options = new DocumentImportOptions { Source = job.Source ?? "upload", ContentType = job.ContentType };
        _ = DocumentToFhir.TryConvert(content, options, out var result);
        foreach (var issue in result.Issues.Where(i => i.Severity >= DocumentIssueSeverity.Warning))
            outcome.Issue.Add(Issue(Severity(issue.Severity == DocumentIssueSeverity.Error), OperationOutcome.IssueType.Invalid, "document", issue.ToString()));
        if (!result.Succeeded || result.Resources is not [DocumentReference document])
            return [];
        if (document.Subject is null)
        {
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.NotFound, "document",
                $"no patient could be identified in the document, so it was not linked; the original is kept as Binary/{job.SourceBinaryId}"));
            return [];
        }
        KeepOriginal(document, job, outcome);
        return [new Item([document], "document")];
    }

    private static List<Item> NdjsonItems(byte[] content, OperationOutcome outcome)
    {
        _ = NdjsonReader.TryRead(content, out var entries, out var issues);
        foreach (var issue in issues)
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Structure, $"line {issue.Line}", issue.ToString()));
        return entries.Select(e => new Item([e.Resource], $"line {e.Line}")).ToList();
    }

    // The first attachment is the uploaded file itself: it also names the stored Binary (R4 Attachment.url may accompany data
    // when both are the same content). A document without a date gets the time it was ingested (R4 DocumentReference.date is
    // when the reference was made).
    private static void KeepOriginal(DocumentReference document, IngestJob job, OperationOutcome outcome)
    {
        if (document.Content.FirstOrDefault()?.Attachment is { } original)
            original.Url = $"Binary/{job.SourceBinaryId}";
        if (document.Date is null)
        {
            document.DateElement = new Instant(new DateTimeOffset(DateTime.SpecifyKind(job.CreatedAt, DateTimeKind.Utc)));
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational, "document",
                "the document has no date of its own; DocumentReference.date is the time it was ingested"));
        }
    }

    private static OperationOutcome.IssueSeverity Severity(bool error) =>
        error ? OperationOutcome.IssueSeverity.Error : OperationOutcome.IssueSeverity.Warning;

    private async Task StoreItemAsync(Item item, int index, IngestJob job, OperationOutcome outcome, CancellationToken cancellationToken)
    {
        try
        {
            var transaction = item.Resources is [Bundle { Type: Bundle.BundleType.Transaction or Bundle.BundleType.Batch } given]
                ? given
                : ToTransaction(item.Resources, job);
            var response = await bundles.ProcessAsync(transaction, ReturnPreference.Minimal, cancellationToken);
            foreach (var entry in response.Entry.Where(e => e.Response?.Location is not null))
                outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational, item.Position, $"stored {entry.Response!.Location}"));
        }
        catch (FhirProblem problem)
        {
            var reason = string.Join("; ", problem.Outcome.Issue.Select(i => i.Diagnostics ?? i.Details?.Text).Where(t => t is not null));
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Invalid, item.Position, $"item {index} rejected: {reason}"));
        }
    }

    // Patients are created unless one with the same first identifier exists; references by
    // identifier to a patient of this item become literal references to it.
    private static Bundle ToTransaction(IReadOnlyList<Resource> produced, IngestJob job)
    {
        var transaction = new Bundle { Type = Bundle.BundleType.Transaction };
        var patientUrls = new Dictionary<(string?, string?), string>();
        foreach (var patient in produced.OfType<Patient>())
        {
            var url = "urn:uuid:" + Guid.NewGuid();
            var identifier = patient.Identifier.FirstOrDefault();
            if (identifier is not null)
                patientUrls[(identifier.System, identifier.Value)] = url;
            patient.Meta ??= new Meta();
            patient.Meta.Source ??= $"urn:fhir-phr:ingest:{job.Id}";
            transaction.Entry.Add(new Bundle.EntryComponent
            {
                FullUrl = url,
                Resource = patient,
                Request = new Bundle.RequestComponent
                {
                    Method = Bundle.HTTPVerb.POST,
                    Url = "Patient",
                    IfNoneExist = identifier is null ? null : $"identifier={SearchQueryParser.EscapeValue(identifier.System)}|{SearchQueryParser.EscapeValue(identifier.Value)}",
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


    // A C-CDA document (ClinicalDocument/id; a new version gets a new id and says whom it replaces) or an uploaded file (its
    // content hash) is stored once however often it is sent; R4's DocumentReference "identifier" search covers masterIdentifier
    // and identifier. HL7 v2 documents are left out: an MDM edit (T08) reuses the document number with new content.
    private static string? DocumentIdentity(Resource resource) =>
        resource is DocumentReference document
            && document.Meta?.Tag.Any(t => t.System == CcdaToFhir.ConverterTagSystem && t.Code is CcdaToFhir.ConverterTagCode or DocumentToFhir.ConverterTagCode) == true
            && (document.MasterIdentifier ?? document.Identifier.FirstOrDefault()) is { Value: not null } id
            ? $"identifier={SearchQueryParser.EscapeValue(id.System)}|{SearchQueryParser.EscapeValue(id.Value)}"
            : null;

    private static OperationOutcome.IssueComponent Issue(OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType code, string position, string text) => new()
    {
        Severity = severity,
        Code = code,
        Diagnostics = text,
        Location = [position],
    };
}

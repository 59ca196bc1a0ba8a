using System.Net;
using System.Text;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Matching;
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

/// <summary>One uploaded file: the request body, or one part of a multipart/form-data request.</summary>
public sealed record IngestUpload(byte[] Content, string? ContentType, string? FileName = null);

/// <summary>
/// `$ingest` (issue #5): accepts one file or several, keeps each original as an encrypted Binary,
/// and in a background job turns them into FHIR resources. Each item (an HL7 v2 message, a FHIR
/// resource or bundle) is stored in its own transaction, so one bad item is reported with its
/// position and the rest still land. Each incoming Patient is matched first (a shared identifier,
/// then <see cref="PatientMatchService"/>'s scores): a clear match is linked, no match is created,
/// and an uncertain one holds the whole item in the review queue (<see cref="IngestReviewService"/>).
/// </summary>
public sealed class IngestService(PhrDbContext db, ResourceService resources, BundleProcessor bundles, PatientMatchService matcher, IngestSecrets secrets, DocumentOcr ocr, TimeProvider time)
{
    /// <summary>Candidates kept with a held item for the reviewer.</summary>
    public const int ReviewCandidates = 5;

    public const string Hl7v2ContentType = "x-application/hl7-v2+er7";
    public const string CsvContentType = "text/csv";
    public const string CcdaContentType = CcdaToFhir.ContentType;
    public const string NdjsonContentType = "application/fhir+ndjson";

    /// <summary>Files read by <see cref="DocumentToFhir"/>: the file is the document, its text says whose it is.</summary>
    private static readonly HashSet<string> DocumentContentTypes = ["application/pdf", "text/plain", "image/jpeg", "image/png"];

    /// <summary>Stores the uploads and records a queued job; the caller enqueues <see cref="RunAsync"/>.</summary>
    public async Task<IngestJob> AcceptAsync(IReadOnlyList<IngestUpload> uploads, string? source, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(uploads);
        if (uploads.Count == 0)
            throw FhirProblem.BadRequest("$ingest needs a file in the request body.");
        // Every file is checked before any is stored, so a refused request leaves nothing behind.
        var multipart = uploads.Count > 1 || uploads.Any(u => u.FileName is not null);
        var kinds = new List<string>(uploads.Count);
        for (var i = 0; i < uploads.Count; i++)
        {
            var label = multipart ? Label(i, uploads[i].FileName) + ": " : "";
            var content = uploads[i].Content;
            if (content.Length == 0)
                throw FhirProblem.BadRequest($"{label}$ingest needs a file in the request body.");
            var kind = Sniff(content, uploads[i].ContentType, label);
            if (kind == CsvContentType && string.IsNullOrWhiteSpace(source))
                throw FhirProblem.BadRequest($"{label}CSV identifiers carry no system: name the sending system with ?source=<name>.", "source");
            if (DocumentContentTypes.Contains(kind) && string.IsNullOrWhiteSpace(source))
                throw FhirProblem.BadRequest($"{label}Identifiers read from a document's text carry no system: name the sending system with ?source=<name>.", "source");
            kinds.Add(kind);
        }

        var job = new IngestJob
        {
            Id = Guid.NewGuid(),
            Source = source,
            Status = IngestStatus.Queued,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        var files = new List<IngestFile>(uploads.Count);
        for (var i = 0; i < uploads.Count; i++)
        {
            var binary = await resources.CreateAsync(new Binary { ContentType = kinds[i], Data = uploads[i].Content }, cancellationToken);
            files.Add(new IngestFile { JobId = job.Id, Index = i, BinaryId = binary.Resource.Id, ContentType = kinds[i], FileName = secrets.Seal(uploads[i].FileName, FileNameColumn, FileRow(job.Id, i)) });
        }
        db.IngestJobs.Add(job);
        db.IngestFiles.AddRange(files);
        await db.SaveChangesAsync(cancellationToken);
        return job;
    }

    // How positions name a part of a multipart upload: its number, and its file name when it has one.
    private static string Label(int index, string? fileName) =>
        fileName is null ? $"part {index + 1}" : $"part {index + 1} ({fileName})";

    private const string ResultColumn = "ingest_jobs.result";
    private const string FileNameColumn = "ingest_files.file_name";

    private static string FileRow(Guid jobId, int index) => $"{jobId:N}/{index}";

    /// <summary>The job's result (stored encrypted, see <see cref="IngestSecrets"/>), or null while it runs.</summary>
    public OperationOutcome? Result(IngestJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        return secrets.Open(job.ResultJson, ResultColumn, job.Id.ToString("N")) is { } json
            ? (OperationOutcome)FhirFormats.ParseJson(Encoding.UTF8.GetBytes(json))
            : null;
    }

    public Task<IngestJob?> FindAsync(Guid id, CancellationToken cancellationToken) =>
        db.IngestJobs.AsNoTracking().FirstOrDefaultAsync(j => j.Id == id, cancellationToken);

    // Content-Type when it names a format we read; otherwise the first bytes decide.
    private static string Sniff(byte[] content, string? contentType, string label)
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
            $"{label}$ingest cannot tell what this file is (Content-Type {contentType ?? "none"}); it takes HL7 v2 (ER7), CSV, C-CDA, PDF, JPEG, PNG, plain text and FHIR JSON, XML or ndjson.");
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
            var files = await db.IngestFiles.AsNoTracking().Where(f => f.JobId == jobId).OrderBy(f => f.Index).ToListAsync(cancellationToken);
            foreach (var file in files)
                file.FileName = secrets.Open(file.FileName, FileNameColumn, FileRow(jobId, file.Index));
            var items = new List<Item>();
            foreach (var file in files)
                items.AddRange(await FileItemsAsync(file, files.Count > 1 || file.FileName is not null, job, outcome, cancellationToken));
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
        job.ResultJson = secrets.Seal(Encoding.UTF8.GetString(FhirFormats.SerializeJson(outcome)), ResultColumn, job.Id.ToString("N"));
        await SaveAsync(job, cancellationToken);
    }

    // One file's items. In a multipart upload every position is prefixed with the part, and a file that cannot be read at
    // all is reported as such while the other files go on; a single file that cannot be read fails the job, as before.
    private async Task<List<Item>> FileItemsAsync(IngestFile file, bool multipart, IngestJob job, OperationOutcome outcome, CancellationToken cancellationToken)
    {
        var found = new OperationOutcome();
        List<Item> items;
        try
        {
            var source = (Binary)(await resources.ReadAsync("Binary", file.BinaryId, cancellationToken)).ToPoco();
            items = Items(source.Data ?? [], file, job, found);
        }
        catch (FhirProblem problem) when (multipart)
        {
            found.Issue.AddRange(problem.Outcome.Issue.Select(i => { i.Location = ["file"]; return i; }));
            items = [];
        }
        if (multipart)
        {
            var label = Label(file.Index, file.FileName);
            foreach (var issue in found.Issue)
                issue.Location = issue.Location.Select(l => $"{label}: {l}").DefaultIfEmpty(label).ToList();
            items = items.Select(i => i with { Position = $"{label}: {i.Position}" }).ToList();
        }
        outcome.Issue.AddRange(found.Issue);
        return items;
    }

    // Storing resources clears the shared change tracker, so the job row is attached anew each time.
    private async Task SaveAsync(IngestJob job, CancellationToken cancellationToken)
    {
        db.IngestJobs.Update(job);
        await db.SaveChangesAsync(cancellationToken);
    }

    private sealed record Item(IReadOnlyList<Resource> Resources, string Position);

    private List<Item> Items(byte[] content, IngestFile file, IngestJob job, OperationOutcome outcome)
    {
        var contentType = file.ContentType;
        if (contentType == CsvContentType)
            return CsvItems(content, job, outcome);
        if (contentType == CcdaContentType)
            return CcdaItems(content, file, job, outcome);
        if (contentType == NdjsonContentType)
            return NdjsonItems(content, outcome);
        if (DocumentContentTypes.Contains(contentType))
            return DocumentItems(content, file, job, outcome);
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
    private static List<Item> CcdaItems(byte[] content, IngestFile file, IngestJob job, OperationOutcome outcome)
    {
        _ = CcdaToFhir.TryConvert(content, out var result);
        foreach (var issue in result.Issues.Where(i => i.Severity >= CcdaIssueSeverity.Warning))
            outcome.Issue.Add(Issue(Severity(issue.Severity == CcdaIssueSeverity.Error), OperationOutcome.IssueType.Invalid, issue.Line > 0 ? $"line {issue.Line}" : "document", issue.ToString()));
        if (!result.Succeeded)
            return [];
        foreach (var document in result.Resources.OfType<DocumentReference>())
            KeepOriginal(document, file, job, outcome);
        return [new Item(result.Resources, "document")];
    }

    // One document is one item. Its text, or for a scan what OCR reads in it (Phr:Import:Ocr), says whose it is; one that
    // names no patient cannot be linked by a machine.
    private List<Item> DocumentItems(byte[] content, IngestFile file, IngestJob job, OperationOutcome outcome)
    {
        var options = new DocumentImportOptions { Source = job.Source ?? "upload", ContentType = file.ContentType, FileName = file.FileName, TextRecognizer = ocr.Recognizer };
        _ = DocumentToFhir.TryConvert(content, options, out var result);
        foreach (var issue in result.Issues.Where(i => i.Severity >= DocumentIssueSeverity.Warning))
            outcome.Issue.Add(Issue(Severity(issue.Severity == DocumentIssueSeverity.Error), OperationOutcome.IssueType.Invalid, "document", issue.ToString()));
        if (!result.Succeeded || result.Resources is not [DocumentReference document])
            return [];
        // A document whose text names no patient is still kept: it waits in the review queue for a person to link it.
        KeepOriginal(document, file, job, outcome);
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
    private static void KeepOriginal(DocumentReference document, IngestFile file, IngestJob job, OperationOutcome outcome)
    {
        if (document.Content.FirstOrDefault()?.Attachment is { } original)
            original.Url = $"Binary/{file.BinaryId}";
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
            if (item.Resources is [Bundle { Type: Bundle.BundleType.Transaction or Bundle.BundleType.Batch } given])
            {
                // A FHIR transaction says itself how its patients are found (conditional references); it is stored as sent.
                ReportStored(await bundles.ProcessAsync(given, ReturnPreference.Minimal, cancellationToken), item.Position, outcome);
                return;
            }

            var linked = new Dictionary<Patient, ItemTransaction.Link>(ReferenceEqualityComparer.Instance);
            var candidates = new List<ReviewCandidate>();
            foreach (var patient in item.Resources.OfType<Patient>())
            {
                var match = await matcher.MatchAsync(patient, ReviewCandidates, onlyCertainMatches: false, stopAtIdentifier: true, cancellationToken);
                var (decision, chosen) = match.Decide();
                if (decision == MatchDecision.Link)
                {
                    linked[patient] = new ItemTransaction.Link(chosen!.Stored.Id, chosen.Stored.Version, chosen.Patient);
                    // The outcome is stored in clear: it names the patient by id and the match by grade and score, never by the values that matched.
                    outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational, item.Position,
                        $"linked to Patient/{chosen.Stored.Id} (match-grade {PatientMatcher.Code(chosen.Score.Grade)}, score {chosen.Score.Score.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture)})"));
                }
                else if (decision == MatchDecision.Review)
                {
                    candidates.AddRange(match.Candidates.Select(c => new ReviewCandidate(c.Stored.Id, c.Score.Score, PatientMatcher.Code(c.Score.Grade))));
                }
            }
            if (candidates.Count > 0)
            {
                await HoldAsync(item, job, candidates, outcome, cancellationToken);
                return;
            }
            if (NeedsPatient(item))
            {
                await HoldAsync(item, job, [], outcome, cancellationToken);
                return;
            }
            ReportStored(await bundles.ProcessAsync(ItemTransaction.Build(item.Resources, job.Id, linked), ReturnPreference.Minimal, cancellationToken), item.Position, outcome);
        }
        catch (FhirProblem problem)
        {
            var reason = string.Join("; ", problem.Outcome.Issue.Select(i => i.Diagnostics ?? i.Details?.Text).Where(t => t is not null));
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Error, OperationOutcome.IssueType.Invalid, item.Position, $"item {index} rejected: {reason}"));
        }
    }

    private static void ReportStored(Bundle response, string position, OperationOutcome outcome)
    {
        foreach (var entry in response.Entry.Where(e => e.Response?.Location is not null))
            outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Information, OperationOutcome.IssueType.Informational, position, $"stored {entry.Response!.Location}"));
    }

    // The whole item waits for a person: its resources (PHI) in an encrypted Binary under the system policy, and a row of ids
    // and scores in the review queue. Nothing of it is stored as FHIR until the decision.
    private async Task HoldAsync(Item item, IngestJob job, List<ReviewCandidate> candidates, OperationOutcome outcome, CancellationToken cancellationToken)
    {
        var held = new Bundle { Type = Bundle.BundleType.Collection };
        held.Entry.AddRange(item.Resources.Select(r => new Bundle.EntryComponent { Resource = r }));
        var binary = await resources.CreateAsync(new Binary { ContentType = "application/fhir+json", Data = FhirFormats.SerializeJson(held) }, cancellationToken);
        var review = new IngestReviewItem
        {
            Id = Guid.NewGuid(),
            JobId = job.Id,
            Position = item.Position,
            HeldBinaryId = binary.Resource.Id,
            Candidates = candidates.DistinctBy(c => c.PatientId).OrderByDescending(c => c.Score).ToList(),
            Status = ReviewStatus.Pending,
            CreatedAt = time.GetUtcNow().UtcDateTime,
        };
        db.IngestReviewItems.Add(review);
        await db.SaveChangesAsync(cancellationToken);
        db.Entry(review).State = EntityState.Detached;
        outcome.Issue.Add(Issue(OperationOutcome.IssueSeverity.Warning, OperationOutcome.IssueType.Informational, item.Position, review.Candidates.Count > 0
            ? $"sent to review as $ingest-review/{review.Id}: the patient may be one of {review.Candidates.Count} stored patients"
            : $"sent to review as $ingest-review/{review.Id}: no patient could be identified in it, so a person links it"));
    }

    /// <summary>A document that names no patient, in an item that brings none: only a person can say whose it is.</summary>
    internal static bool NeedsPatient(IEnumerable<Resource> resources) =>
        resources.OfType<DocumentReference>().Any(d => d.Subject is null) && !resources.OfType<Patient>().Any();

    private static bool NeedsPatient(Item item) => NeedsPatient(item.Resources);

    private static OperationOutcome.IssueComponent Issue(OperationOutcome.IssueSeverity severity, OperationOutcome.IssueType code, string position, string text) => new()
    {
        Severity = severity,
        Code = code,
        Diagnostics = text,
        Location = [position],
    };
}

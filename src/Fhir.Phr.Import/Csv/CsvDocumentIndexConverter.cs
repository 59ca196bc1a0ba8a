using System.Collections.Frozen;
using System.Globalization;
using System.Text.RegularExpressions;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Csv;

/// <summary>
/// Document indexes (one file per row: file name, patient identifier, type, date and optionally title, description, content type)
/// to FHIR R4 DocumentReferences whose attachment names the file; the server attaches the bytes later.
/// </summary>
public static partial class CsvDocumentIndexConverter
{
    internal const string Loinc = "http://loinc.org";

    private static readonly (CsvColumn[] AnyOf, string Description)[] Required =
    [
        ([CsvColumn.FileName], "the file name (file, file name, document, path)"),
        ([CsvColumn.Identifier], "the patient identifier (mrn, patient id, medical record number)"),
        ([CsvColumn.DocumentType], "the document type (type, document type)"),
        ([CsvColumn.Date], "the document date (date, document date)"),
    ];

    /// <summary>LOINC document codes for the words indexes use, keyed by the word lower-cased without spaces, hyphens or underscores.</summary>
    private static readonly FrozenDictionary<string, (string Code, string Display)> TypeWords = new Dictionary<string, (string, string)>
    {
        ["dischargesummary"] = ("18842-5", "Discharge summary"),
        ["discharge"] = ("18842-5", "Discharge summary"),
        ["labreport"] = ("11502-2", "Laboratory report"),
        ["laboratoryreport"] = ("11502-2", "Laboratory report"),
        ["labresults"] = ("11502-2", "Laboratory report"),
        ["lab"] = ("11502-2", "Laboratory report"),
        ["radiologyreport"] = ("18748-4", "Diagnostic imaging study"),
        ["radiology"] = ("18748-4", "Diagnostic imaging study"),
        ["imagingreport"] = ("18748-4", "Diagnostic imaging study"),
        ["progressnote"] = ("11506-3", "Progress note"),
        ["referral"] = ("57133-1", "Referral note"),
        ["referralnote"] = ("57133-1", "Referral note"),
        ["referralletter"] = ("57133-1", "Referral note"),
        ["prescription"] = ("57833-6", "Prescription for medication"),
        ["consultation"] = ("11488-4", "Consult note"),
        ["consultationnote"] = ("11488-4", "Consult note"),
        ["consultnote"] = ("11488-4", "Consult note"),
    }.ToFrozenDictionary(StringComparer.Ordinal);

    private static readonly FrozenDictionary<string, string> ContentTypes = new Dictionary<string, string>
    {
        [".pdf"] = "application/pdf",
        [".txt"] = "text/plain",
        [".jpg"] = "image/jpeg",
        [".jpeg"] = "image/jpeg",
        [".png"] = "image/png",
        [".xml"] = "application/xml",
        [".dcm"] = "application/dicom",
    }.ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    /// <summary>
    /// Reads an index. Every row either becomes a DocumentReference (status current, subject by identifier) or is reported as an
    /// error issue with its line; a file without a usable header yields one issue and no resources.
    /// </summary>
    public static CsvConversionResult Convert(Stream csv, CsvImportOptions options)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Source);
        if (options.UtcOffset is { } utcOffset && (utcOffset.Duration() > TimeSpan.FromHours(14) || utcOffset.Ticks % TimeSpan.TicksPerMinute != 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options), utcOffset, "UtcOffset must be whole minutes between -14:00 and +14:00.");
        }

        var issues = new List<CsvIssue>();
        var resources = new List<Resource>();
        var table = CsvTable.Read(csv, issues);
        var layout = CsvLayout.TryBind(table, CsvColumnNames.DocumentHeaders, options.Mapping, Required, issues);
        if (layout is null)
        {
            return new CsvConversionResult(resources, issues);
        }

        var firstLineOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var reportedZone = false;
        foreach (var record in table.Records.Skip(1))
        {
            if (!layout.Accepts(record, issues) || TryConvertRow(record, layout, options, issues, ref reportedZone) is not { } document)
            {
                continue;
            }

            // The id comes from the file name, so a second row for the same file would overwrite the first; a person must choose.
            var fileName = layout.Get(record, CsvColumn.FileName);
            if (firstLineOf.TryGetValue(fileName, out var first))
            {
                issues.Add(Reject(CsvIssueCode.DuplicateFileName, record, layout, CsvColumn.FileName, $"file '{fileName}' was already listed on line {first}"));
                continue;
            }

            firstLineOf[fileName] = record.Line;
            CsvProvenance.Stamp(document, options.Source, fileName);
            resources.Add(document);
        }

        return new CsvConversionResult(resources, issues);
    }

    /// <summary>The document type: a LOINC code as given, a known word as its LOINC code, anything else as text.</summary>
    internal static CodeableConcept? MapType(string text)
    {
        if (text.Length == 0)
        {
            return null;
        }

        if (LoincCode().IsMatch(text))
        {
            var known = TypeWords.Values.FirstOrDefault(t => t.Code == text);
            return new CodeableConcept { Coding = [new Coding(Loinc, text, known.Display)] };
        }

        var key = new string(text.Where(char.IsLetter).Select(char.ToLowerInvariant).ToArray());
        if (TypeWords.TryGetValue(key, out var word) || (key.EndsWith('s') && TypeWords.TryGetValue(key[..^1], out word)))
        {
            return new CodeableConcept(Loinc, word.Code, word.Display, text);
        }

        return new CodeableConcept { Text = text };
    }

    private static DocumentReference? TryConvertRow(CsvRecord record, CsvLayout layout, CsvImportOptions options, List<CsvIssue> issues, ref bool reportedZone)
    {
        var fileName = layout.Get(record, CsvColumn.FileName);
        if (fileName.Length == 0)
        {
            issues.Add(Reject(CsvIssueCode.MissingFileName, record, layout, CsvColumn.FileName, "the row names no file"));
            return null;
        }

        var identifier = layout.Get(record, CsvColumn.Identifier);
        if (identifier.Length == 0)
        {
            issues.Add(Reject(CsvIssueCode.MissingIdentifier, record, layout, CsvColumn.Identifier, "the row has no patient identifier"));
            return null;
        }

        // The PHR profile requires type and date (profiles/StructureDefinition-phr-documentreference.json): a row without them is
        // rejected here, with its line, rather than later by the validator without one.
        var type = MapType(layout.Get(record, CsvColumn.DocumentType));
        if (type is null)
        {
            issues.Add(Reject(CsvIssueCode.MissingDocumentType, record, layout, CsvColumn.DocumentType, "the row has no document type"));
            return null;
        }

        var dateText = layout.Get(record, CsvColumn.Date);
        if (dateText.Length == 0)
        {
            issues.Add(Reject(CsvIssueCode.MissingDate, record, layout, CsvColumn.Date, "the row has no document date"));
            return null;
        }

        var parsed = CsvDates.TryParseDateTime(dateText, options.DateOrder, options.Mapping?.DateFormat, out var date, out var time, out var offset);
        var local = date.ToDateTime(time ?? TimeOnly.MinValue);
        var zone = offset ?? options.UtcOffset ?? TimeSpan.Zero;

        // 0001-01-01 at +01:00 is before the first instant .NET (and FHIR's year 0001) can hold.
        if (!parsed || local.Ticks - zone.Ticks < DateTime.MinValue.Ticks || local.Ticks - zone.Ticks > DateTime.MaxValue.Ticks)
        {
            issues.Add(Reject(CsvIssueCode.InvalidDate, record, layout, CsvColumn.Date, $"'{dateText}' is not a valid date"));
            return null;
        }

        if (time is not null && offset is null && options.UtcOffset is null && !reportedZone)
        {
            reportedZone = true;
            issues.Add(new CsvIssue(CsvIssueCode.TimeZoneAssumed, CsvIssueSeverity.Warning, record.Line, layout.HeaderOf(CsvColumn.Date),
                $"'{dateText}' has a time without a UTC offset and the options give none; UTC is assumed for this file"));
        }

        // R4 DocumentReference.date is an instant: a date alone means the start of that day at the sender's offset (as the
        // HL7 v2 converter does); context.period keeps the date with the precision the sender gave.
        var instant = new DateTimeOffset(local, zone);
        var document = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            Subject = new ResourceReference { Type = "Patient", Identifier = new Identifier(options.EffectiveIdentifierSystem, identifier) },
            Type = type,
            DateElement = new Instant(instant),
            Context = new DocumentReference.ContextComponent
            {
                Period = new Period
                {
                    StartElement = time is null
                        ? new FhirDateTime(date.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture))
                        : new FhirDateTime(instant),
                },
            },
        };

        var contentType = layout.Get(record, CsvColumn.ContentType);
        if (contentType.Length > 0 && !MediaType().IsMatch(contentType))
        {
            issues.Add(Reject(CsvIssueCode.InvalidContentType, record, layout, CsvColumn.ContentType, $"'{contentType}' is not a media type such as application/pdf"));
            return null;
        }

        // The profile requires a content type; application/octet-stream says honestly that the kind of bytes is not known.
        if (contentType.Length == 0 && !ContentTypes.TryGetValue(Path.GetExtension(fileName), out contentType))
        {
            contentType = "application/octet-stream";
            issues.Add(new CsvIssue(CsvIssueCode.UnknownContentType, CsvIssueSeverity.Warning, record.Line, layout.HeaderOf(CsvColumn.FileName),
                $"the content type of '{fileName}' is neither given nor known from its extension; application/octet-stream is used"));
        }

        var title = layout.Get(record, CsvColumn.Title);
        var description = layout.Get(record, CsvColumn.Description);
        document.Description = (title.Length, description.Length) switch
        {
            (0, 0) => null,
            (0, _) => description,
            (_, 0) => title,
            _ => $"{title}: {description}",
        };

        document.Content.Add(new DocumentReference.ContentComponent
        {
            Attachment = new Attachment
            {
                ContentType = contentType,
                Title = fileName,
                Url = RelativeUrl(fileName),
            },
        });
        return document;
    }

    /// <summary>The file name as a relative URL: each path segment percent-encoded, so names with spaces or '#' stay one valid url.</summary>
    private static string RelativeUrl(string fileName) =>
        string.Join('/', fileName.Split('/', '\\').Select(Uri.EscapeDataString));

    private static CsvIssue Reject(CsvIssueCode code, CsvRecord record, CsvLayout layout, CsvColumn column, string message) =>
        new(code, CsvIssueSeverity.Error, record.Line, layout.HeaderOf(column), message);

    [GeneratedRegex("^[0-9]{1,7}-[0-9]$", RegexOptions.CultureInvariant)]
    private static partial Regex LoincCode();

    // RFC 6838 type/subtype, with parameters (charset=...) allowed after a semicolon.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]*(\s*;.*)?$", RegexOptions.CultureInvariant)]
    private static partial Regex MediaType();
}

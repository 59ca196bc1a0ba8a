using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Unicode;
using Fhir.Phr.Import.Csv;
using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Documents;

/// <summary>
/// PDFs, plain text and JPEG/PNG scans to a FHIR R4 DocumentReference whose first attachment is the file itself. From the text
/// it reads the patient's identifier (the subject, by identifier), name and birth date, the document date and the kind of
/// document (a LOINC document code), each with a confidence recorded in <see cref="ConfidenceExtension"/> and in the issues.
/// Scans (images, and PDFs without a text layer) are read by OCR when the options carry a <see cref="ITextRecognizer"/>, with
/// every confidence scaled by the engine's; without one, or when OCR fails, their kind comes from the file name and metadata,
/// with low confidence. Pure but for that recognizer: no other I/O, no clock.
/// </summary>
public static class DocumentToFhir
{
    public const string ConverterTagSystem = Hl7v2ToFhir.ConverterTagSystem;
    public const string ConverterTagCode = "document";

    /// <summary>How sure the converter is of a value it read from the document (valueDecimal, 0..1), on type, subject and date.</summary>
    public const string ConfidenceExtension = "http://fhir-phr.dev/fhir/StructureDefinition/extraction-confidence";

    public const string ExtractedTextTitle = "Extracted text";

    /// <summary>The title of the text attachment of a scan read by OCR, so that no one takes it for the document's own text.</summary>
    public const string OcrTextTitle = "Text read by OCR";

    /// <summary>The type of a document whose kind could not be told (the PHR profile requires a type).</summary>
    public const string UnclassifiedText = "Unclassified document";

    /// <summary>Content addressed by hash (RFC 6920 ni URI), so the same file sent twice is recognisably the same document.</summary>
    public const string ContentHashSystem = "urn:ietf:rfc:3986";

    public static bool TryConvert(byte[] input, DocumentImportOptions options, out DocumentConversionResult result)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentException.ThrowIfNullOrWhiteSpace(options.Source);
        var issues = new List<DocumentIssue>();
        var document = Convert(input, options, issues, out var findings);
        result = new DocumentConversionResult(document is null ? [] : [document], findings, issues);
        return result.Succeeded;
    }

    /// <summary>The media type the bytes' signature says (PDF, PNG, JPEG), else text/plain for readable text, else null.</summary>
    public static string? Sniff(ReadOnlySpan<byte> input)
    {
        if (input.StartsWith("%PDF-"u8))
        {
            return "application/pdf";
        }

        if (input.StartsWith(ImageMetadata.PngSignature))
        {
            return "image/png";
        }

        if (input.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "image/jpeg";
        }

        return IsText(input) ? "text/plain" : null;
    }

    private static DocumentReference? Convert(byte[] input, DocumentImportOptions options, List<DocumentIssue> issues, out DocumentFindings? findings)
    {
        findings = null;
        if (input.Length == 0)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.EmptyInput, DocumentIssueSeverity.Error, "the file is empty"));
            return null;
        }

        if (input.Length > options.MaxBytes)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.InputTooLarge, DocumentIssueSeverity.Error, $"the file is {input.Length} bytes; at most {options.MaxBytes} are read"));
            return null;
        }

        var contentType = Sniff(input);
        if (contentType is null)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.UnsupportedFormat, DocumentIssueSeverity.Error,
                $"the file is neither PDF, PNG, JPEG nor text (declared {options.ContentType ?? "without a type"})"));
            return null;
        }

        var declared = options.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (declared is not (null or "" or "application/octet-stream") && declared != contentType)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.ContentTypeMismatch, DocumentIssueSeverity.Warning,
                $"declared {declared} but the bytes are {contentType}; read as {contentType}"));
        }

        var reading = contentType switch
        {
            "application/pdf" => ReadPdf(input, options, issues),
            "image/png" => ReadImage(input, ImageMetadata.ReadPng(input), contentType, options, issues),
            "image/jpeg" => ReadImage(input, ImageMetadata.ReadJpeg(input), contentType, options, issues),
            _ => ReadText(input, options, issues),
        };
        findings = DocumentTextAnalyzer.Analyze(reading.Text, reading.Metadata, options.DateOrder, reading.TextConfidence);
        return Build(input, reading, findings, options, issues);
    }

    /// <summary>What was read from the file: its text, how sure that text is (1, or OCR's confidence), its metadata, the attachment's type.</summary>
    private sealed record Reading(string Text, DocumentMetadata Metadata, string ContentType, bool FromOcr = false, decimal TextConfidence = 1m);

    private static Reading ReadPdf(byte[] input, DocumentImportOptions options, List<DocumentIssue> issues)
    {
        var content = PdfText.TryRead(input, options.MaxPages, out var failure);
        if (content is null)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.UnreadablePdf, DocumentIssueSeverity.Warning,
                $"the PDF could not be read ({failure}); the file is kept and classified from its name only"));
            return new Reading(string.Empty, new DocumentMetadata(options.FileName, null, null, null, IsScan: true), "application/pdf");
        }

        if (content.PagesRead < content.Pages)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.PageLimitReached, DocumentIssueSeverity.Information,
                $"text read from the first {content.PagesRead} of {content.Pages} pages"));
        }

        var scan = string.IsNullOrWhiteSpace(content.Text);
        var metadata = new DocumentMetadata(options.FileName, content.Title, content.Subject, content.Created, scan);
        if (!scan)
        {
            return new Reading(content.Text, metadata, "application/pdf");
        }

        if (options.TextRecognizer is null)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.NoText, DocumentIssueSeverity.Information,
                "the PDF has no text layer (a scan?) and OCR is off, so it is classified from its name and metadata only"));
            return new Reading(content.Text, metadata, "application/pdf");
        }

        var skipped = new List<string>();
        var ocr = ScanText.Read(options.TextRecognizer, PdfPageImages.Read(input, options.MaxPages, skipped), issues);
        return FromOcr(ocr, skipped, "the PDF has no text layer", metadata, "application/pdf", issues);
    }

    private static Reading ReadImage(byte[] input, (string? Title, DateOnly? Created, bool Damaged) image, string contentType, DocumentImportOptions options, List<DocumentIssue> issues)
    {
        if (image.Damaged)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.InvalidImageMetadata, DocumentIssueSeverity.Warning,
                $"the {contentType} structure is damaged; metadata was read up to the damage and the file is kept as sent"));
        }

        var metadata = new DocumentMetadata(options.FileName, image.Title, null, image.Created, IsScan: true);
        if (options.TextRecognizer is null)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.NoText, DocumentIssueSeverity.Information,
                "an image is read only by OCR, which is off; it is classified from its name and metadata only"));
            return new Reading(string.Empty, metadata, contentType);
        }

        var ocr = ScanText.Read(options.TextRecognizer, [new PageImage(1, input, contentType)], issues);
        return FromOcr(ocr, [], "an image has no text of its own", metadata, contentType, issues);
    }

    private static Reading FromOcr(ScanText.Result ocr, List<string> skipped, string why, DocumentMetadata metadata, string contentType, List<DocumentIssue> issues)
    {
        var notRead = skipped.Count == 0 ? string.Empty : $" (not read: {string.Join("; ", skipped)})";
        if (string.IsNullOrWhiteSpace(ocr.Text))
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.NoText, DocumentIssueSeverity.Information,
                $"{why} and OCR read {(ocr.ImagesRead == 0 ? "no image" : "no text in it")}{notRead}, so it is classified from its name and metadata only"));
            return new Reading(string.Empty, metadata, contentType);
        }

        issues.Add(new DocumentIssue(DocumentIssueCode.TextFromOcr, DocumentIssueSeverity.Information, string.Create(CultureInfo.InvariantCulture,
            $"{why}; its text was read by OCR from {ocr.ImagesRead} image(s) with mean word confidence {ocr.Confidence}, which scales every confidence read from it{notRead}")));
        return new Reading(ocr.Text, metadata with { IsScan = false }, contentType, FromOcr: true, TextConfidence: ocr.Confidence);
    }

    /// <summary>Text in UTF-16 (with a BOM), UTF-8, or else Latin-1; the attachment's charset says which was found.</summary>
    private static Reading ReadText(byte[] input, DocumentImportOptions options, List<DocumentIssue> issues)
    {
        string text;
        var contentType = "text/plain; charset=utf-8";
        if (input.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || input.AsSpan().StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            text = (input[0] == 0xFF ? Encoding.Unicode : Encoding.BigEndianUnicode).GetString(input, 2, input.Length - 2);
            contentType = "text/plain; charset=utf-16";
        }
        else if (Utf8.IsValid(input))
        {
            text = Encoding.UTF8.GetString(input).TrimStart('\uFEFF');
        }
        else
        {
            // Latin-1 maps every byte, so nothing is lost; the original stays attached as sent, without a charset claim.
            issues.Add(new DocumentIssue(DocumentIssueCode.EncodingAssumed, DocumentIssueSeverity.Information, "the text is not valid UTF-8; read as ISO 8859-1"));
            text = Encoding.Latin1.GetString(input);
            contentType = "text/plain";
        }

        return new Reading(text.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n'), new DocumentMetadata(options.FileName, null, null, null, IsScan: false), contentType);
    }

    private static DocumentReference Build(byte[] input, Reading reading, DocumentFindings findings, DocumentImportOptions options, List<DocumentIssue> issues)
    {
        var (text, metadata) = (reading.Text, reading.Metadata);
        var document = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            Identifier = [new Identifier(ContentHashSystem, "ni:///sha-256;" + Base64Url(SHA256.HashData(input)))],
            Type = Type(findings, issues),
            Description = metadata.Title,
        };
        AddSubject(document, findings, options, issues);
        AddDate(document, findings, issues);
        document.Content.Add(new DocumentReference.ContentComponent
        {
            Attachment = new Attachment
            {
                ContentType = reading.ContentType,
                Data = input,
                Title = metadata.FileName,
                CreationElement = metadata.Created is { } created ? new FhirDateTime(created.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) : null,
            },
        });
        if ((reading.FromOcr || reading.ContentType == "application/pdf") && !string.IsNullOrWhiteSpace(text))
        {
            document.Content.Add(new DocumentReference.ContentComponent
            {
                Attachment = new Attachment
                {
                    ContentType = "text/plain; charset=utf-8",
                    Data = Encoding.UTF8.GetBytes(text.Trim()),
                    Title = reading.FromOcr ? OcrTextTitle : ExtractedTextTitle,
                },
            });
        }

        document.Meta = new Meta { Source = "urn:fhir-phr:document:" + CsvProvenance.Escape(options.Source) };
        document.Meta.Tag.Add(new Coding(ConverterTagSystem, ConverterTagCode));
        return document;
    }

    private static CodeableConcept Type(DocumentFindings findings, List<DocumentIssue> issues)
    {
        if (findings.Kind is not { } kind)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.UnclassifiedDocument, DocumentIssueSeverity.Warning,
                $"no kind of document could be told; the type is the text '{UnclassifiedText}'"));
            return new CodeableConcept { Text = UnclassifiedText };
        }

        issues.Add(new DocumentIssue(DocumentIssueCode.KindClassified, DocumentIssueSeverity.Information,
            string.Create(CultureInfo.InvariantCulture, $"classified as {kind.Value.Display} (LOINC {kind.Value.LoincCode}) with confidence {kind.Confidence} from: {kind.Evidence}")));
        var type = new CodeableConcept("http://loinc.org", kind.Value.LoincCode, kind.Value.Display, null);
        type.SetExtension(ConfidenceExtension, new FhirDecimal(kind.Confidence));
        return type;
    }

    private static void AddSubject(DocumentReference document, DocumentFindings findings, DocumentImportOptions options, List<DocumentIssue> issues)
    {
        var name = findings.Name is { Value: var (family, given) } ? string.Join(' ', given.Append(family ?? string.Empty)).Trim() : null;
        var born = findings.BirthDate?.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        if (findings.Identifiers.Count == 0)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.NoPatientFound, DocumentIssueSeverity.Warning,
                $"no labelled patient identifier (MRN:, Patient ID:, ...) in the text; the document has no subject{(name is null ? string.Empty : $" (the text names '{name}')")}"));
            return;
        }

        var identifier = findings.Identifiers[0];
        if (findings.Identifiers.Count > 1)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.AmbiguousPatientIdentifier, DocumentIssueSeverity.Warning,
                $"{findings.Identifiers.Count} different identifiers ({string.Join(", ", findings.Identifiers.Select(i => i.Value))}); the first is the subject"));
        }

        // The subject by identifier (R4 references.html#logical), as the CSV and HL7 converters do; name and birth date are
        // shown for the person who reviews the link.
        document.Subject = new ResourceReference
        {
            Type = "Patient",
            Identifier = new Identifier(options.EffectiveIdentifierSystem, identifier.Value),
            Display = name is null ? null : born is null ? name : $"{name} (born {born})",
        };
        document.Subject.SetExtension(ConfidenceExtension, new FhirDecimal(identifier.Confidence));
        issues.Add(new DocumentIssue(DocumentIssueCode.PatientFound, DocumentIssueSeverity.Information,
            string.Create(CultureInfo.InvariantCulture, $"patient identifier '{identifier.Value}' from '{identifier.Evidence}' with confidence {identifier.Confidence}")));
    }

    /// <summary>DocumentReference.date is an instant: a date read from the text means the start of that day, UTC; context.period keeps the day as written.</summary>
    private static void AddDate(DocumentReference document, DocumentFindings findings, List<DocumentIssue> issues)
    {
        if (findings.DocumentDate is not { } date)
        {
            issues.Add(new DocumentIssue(DocumentIssueCode.NoDocumentDate, DocumentIssueSeverity.Warning, "no document date in the text or metadata; the document has no date"));
            return;
        }

        document.DateElement = new Instant(new DateTimeOffset(date.Value.ToDateTime(TimeOnly.MinValue), TimeSpan.Zero));
        document.DateElement.SetExtension(ConfidenceExtension, new FhirDecimal(date.Confidence));
        document.Context = new DocumentReference.ContextComponent
        {
            Period = new Period { StartElement = new FhirDateTime(date.Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture)) },
        };
        issues.Add(new DocumentIssue(DocumentIssueCode.DocumentDateFound, DocumentIssueSeverity.Information,
            string.Create(CultureInfo.InvariantCulture, $"document date {date.Value:yyyy-MM-dd} from {date.Evidence} with confidence {date.Confidence}")));
    }

    /// <summary>Text: no NUL bytes and almost no control characters in the first 8 KiB (UTF-16 with a BOM counts as text).</summary>
    private static bool IsText(ReadOnlySpan<byte> input)
    {
        if (input.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]) || input.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return true;
        }

        var head = input[..Math.Min(input.Length, 8192)];
        if (head.IsEmpty || head.Contains((byte)0))
        {
            return false;
        }

        var control = 0;
        foreach (var b in head)
        {
            if (b < 0x20 && b is not ((byte)'\n' or (byte)'\r' or (byte)'\t' or 0x0C))
            {
                control++;
            }
        }

        return control * 100 <= head.Length;
    }

    private static string Base64Url(byte[] hash) => System.Convert.ToBase64String(hash).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}

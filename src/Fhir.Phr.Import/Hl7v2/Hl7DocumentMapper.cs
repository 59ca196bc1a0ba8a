using System.Text;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>
/// MDM (HL7 v2.5.1 chapter 9) and ORU^R01 (chapter 7) as DocumentReference, the report text or the
/// encapsulated document being the attachment, plus the Patient from PID.
/// </summary>
internal static class Hl7DocumentMapper
{
    public const string DocumentTypeSystem = "http://terminology.hl7.org/CodeSystem/v2-0270";

    public static void ConvertMdm(Hl7Conversion conversion)
    {
        var message = conversion.Message;
        var patient = AddPatient(conversion, message["PID"]);
        var txa = message["TXA"];
        if (!txa.IsPresent)
        {
            conversion.Report(Hl7IssueCode.MissingDocumentContent, Hl7IssueSeverity.Error,
                $"MDM^{message.TriggerEvent} has no TXA segment describing the document", message.Header, 9);
            return;
        }

        var document = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            MasterIdentifier = EntityIdentifier(txa.Field(12)),
            Type = Hl7DataTypes.Concept(txa.Field(2).Repetition(0), DocumentTypeSystem),
            Subject = Subject(patient),
            DocStatus = CompletionStatus(Hl7DataTypes.Clean(txa.Field(17).Value)),
        };
        foreach (var repetition in txa.Field(5).Repetitions())
        {
            if (Person(repetition) is { } author)
            {
                document.Author.Add(author);
            }
        }

        // TXA-6 origination is when the document was written; TXA-4 activity is the fallback.
        if ((Date(txa, 6, conversion) ?? Date(txa, 4, conversion)) is { } date)
        {
            document.Date = date;
        }

        var content = new DocumentContent();
        foreach (var obx in message.All("OBX"))
        {
            content.Add(obx, conversion);
        }

        Finish(document, content, txa, conversion);
    }

    /// <summary>Each OBR starts a report; the OBX segments after it are its content.</summary>
    public static void ConvertOru(Hl7Conversion conversion)
    {
        Patient? patient = null;
        DocumentReference? document = null;
        DocumentContent? content = null;
        Hl7Segment? obr = null;
        var seenPid = false;
        foreach (var segment in conversion.Message.Segments)
        {
            switch (segment.Name)
            {
                case "PID":
                    Flush();
                    seenPid = true;
                    patient = AddPatient(conversion, segment);
                    break;
                case "OBR":
                    Flush();
                    obr = segment;
                    content = new DocumentContent();
                    document = new DocumentReference
                    {
                        Status = DocumentReferenceStatus.Current,
                        MasterIdentifier = EntityIdentifier(segment.Field(3)) ?? EntityIdentifier(segment.Field(2)),
                        Type = Hl7DataTypes.Concept(segment.Field(4).Repetition(0), null),
                        Subject = Subject(patient),
                        Date = Date(segment, 7, conversion),
                    };
                    break;
                case "OBX" when content is not null:
                    content.Add(segment, conversion);
                    break;
                case "OBX":
                    // ORU^R01 (HL7 v2.5.1 chapter 7) nests OBX under OBR; one before any OBR belongs to no report.
                    conversion.Report(Hl7IssueCode.ObservationOutsideOrder, Hl7IssueSeverity.Warning,
                        "OBX before any OBR is not part of a report; left out", segment, 0);
                    break;
            }
        }

        Flush();
        if (!seenPid)
        {
            AddPatient(conversion, Hl7Segment.Missing);
        }

        if (obr is null)
        {
            conversion.Report(Hl7IssueCode.MissingDocumentContent, Hl7IssueSeverity.Error,
                "ORU^R01 has no OBR segment, so there is no report", conversion.Message.Header, 9);
        }

        void Flush()
        {
            if (document is not null && content is not null && obr is not null)
            {
                Finish(document, content, obr, conversion);
            }

            document = null;
            content = null;
        }
    }

    private static Patient? AddPatient(Hl7Conversion conversion, Hl7Segment pid)
    {
        if (!pid.IsPresent)
        {
            conversion.Report(Hl7IssueCode.MissingPatientSegment, Hl7IssueSeverity.Warning,
                "no PID segment: the document has no subject", conversion.Message.Header, 9);
            return null;
        }

        var patient = Hl7PatientMapper.Map(pid, conversion);
        conversion.Add(patient);
        return patient;
    }

    /// <summary>The subject by identifier (R4 references.html#logical): the caller resolves it to a stored Patient.</summary>
    private static ResourceReference? Subject(Patient? patient) =>
        patient?.Identifier.FirstOrDefault() is { } identifier
            ? new ResourceReference { Type = "Patient", Identifier = (Identifier)identifier.DeepCopy() }
            : null;

    /// <summary>
    /// TXA-17 document completion status (table 0271) as docStatus: authenticated documents are
    /// final, the stages before that preliminary, a cancelled one entered-in-error.
    /// </summary>
    private static CompositionStatus? CompletionStatus(string code) => code.ToUpperInvariant() switch
    {
        "AU" or "LA" => CompositionStatus.Final,
        "DI" or "DO" or "IN" or "IP" or "PA" => CompositionStatus.Preliminary,
        "CA" => CompositionStatus.EnteredInError,
        _ => null,
    };

    /// <summary>XCN (HL7 v2.5.1 2.A) as a display-only reference: the converter does not know the Practitioner resource.</summary>
    private static ResourceReference? Person(Hl7Repetition xcn)
    {
        var parts = new[] { Hl7DataTypes.Clean(xcn.Component(6).Value), Hl7DataTypes.Clean(xcn.Component(3).Value), Hl7DataTypes.Clean(xcn.Component(4).Value), Hl7DataTypes.Clean(xcn.Component(2).SubComponent(1)) };
        var display = string.Join(' ', parts.Where(p => p.Length > 0));
        return display.Length > 0 ? new ResourceReference { Display = display } : null;
    }

    /// <summary>EI (HL7 v2.5.1 2.A): entity id with namespace / universal id for its system.</summary>
    private static Identifier? EntityIdentifier(Hl7Field field)
    {
        var value = Hl7DataTypes.Clean(field.Component(1).Value);
        if (value.Length == 0)
        {
            return null;
        }

        return new Identifier(
            Hl7DataTypes.IdentifierSystem(Hl7DataTypes.Clean(field.Component(2).Value), Hl7DataTypes.Clean(field.Component(3).Value), Hl7DataTypes.Clean(field.Component(4).Value)),
            value);
    }

    /// <summary>DocumentReference.date is an instant, so a date-only value means the start of that day at the sender's offset.</summary>
    private static DateTimeOffset? Date(Hl7Segment segment, int number, Hl7Conversion conversion) =>
        Hl7DataTypes.TryDateTime(segment.Field(number), conversion, segment, number, out var value)
            ? value.ToDateTimeOffset(conversion.OffsetFor(value, segment, number))
            : null;

    private static void Finish(DocumentReference document, DocumentContent content, Hl7Segment header, Hl7Conversion conversion)
    {
        foreach (var attachment in content.Attachments(document))
        {
            document.Content.Add(new DocumentReference.ContentComponent { Attachment = attachment });
        }

        if (document.Content.Count == 0)
        {
            // R4 DocumentReference.content is 1..*: without content there is no valid resource.
            conversion.Report(Hl7IssueCode.MissingDocumentContent, Hl7IssueSeverity.Error,
                "no OBX text or encapsulated data for the document; no DocumentReference produced", header, 0);
            return;
        }

        conversion.Add(document);
    }

    /// <summary>The OBX values of one document: text lines become one text/plain attachment, each ED its own.</summary>
    private sealed class DocumentContent
    {
        private readonly List<string> lines = [];
        private readonly List<Attachment> encapsulated = [];

        public void Add(Hl7Segment obx, Hl7Conversion conversion)
        {
            var type = Hl7DataTypes.Clean(obx.Field(2).Value).ToUpperInvariant();
            var value = obx.Field(5);
            switch (type)
            {
                // TX, FT, ST (HL7 v2.5.1 2.A): each repetition is a line.
                case "TX" or "FT" or "ST":
                    foreach (var repetition in value.Repetitions())
                    {
                        // Leading blanks are layout in report text, so only trailing ones are trimmed.
                        var line = repetition.Text;
                        lines.Add(line == "\"\"" ? string.Empty : line.TrimEnd());
                    }

                    break;
                case "ED":
                    foreach (var repetition in value.Repetitions())
                    {
                        if (Encapsulated(repetition, obx, conversion) is { } attachment)
                        {
                            encapsulated.Add(attachment);
                        }
                    }

                    break;
                case "":
                    break;
                default:
                    // A coded or numeric result is written as "label: value unit", so a lab report still reads as text.
                    var label = Hl7DataTypes.NullIfEmpty(Hl7DataTypes.Clean(obx.Field(3).Component(2).Value)) ?? Hl7DataTypes.Clean(obx.Field(3).Component(1).Value);
                    var shown = type is "CE" or "CWE" or "CNE"
                        ? Hl7DataTypes.NullIfEmpty(Hl7DataTypes.Clean(value.Component(2).Value)) ?? Hl7DataTypes.Clean(value.Component(1).Value)
                        : Hl7DataTypes.Clean(value.Repetition(0).Text);
                    var unit = Hl7DataTypes.Clean(obx.Field(6).Component(1).Value);
                    lines.Add(string.Join(' ', new[] { label.Length > 0 ? label + ":" : string.Empty, shown, unit }.Where(p => p.Length > 0)));
                    if (type is not ("NM" or "SN" or "CE" or "CWE" or "CNE" or "DT" or "DTM" or "TM" or "TS" or "ID" or "IS"))
                    {
                        conversion.Report(Hl7IssueCode.UnsupportedValueType, Hl7IssueSeverity.Information,
                            $"OBX value type '{type}' is kept as text", obx, 2);
                    }

                    break;
            }
        }

        public IEnumerable<Attachment> Attachments(DocumentReference document)
        {
            var title = document.Type?.Text;
            if (lines.Count > 0)
            {
                yield return new Attachment
                {
                    ContentType = "text/plain",
                    Data = Encoding.UTF8.GetBytes(string.Join('\n', lines)),
                    Title = title,
                };
            }

            foreach (var attachment in encapsulated)
            {
                attachment.Title ??= title;
                yield return attachment;
            }
        }

        /// <summary>
        /// ED (HL7 v2.5.1 2.A): source application, type of data (table 0191), data subtype (table 0291),
        /// encoding (table 0299: A, Hex, Base64), data.
        /// </summary>
        private static Attachment? Encapsulated(Hl7Repetition ed, Hl7Segment obx, Hl7Conversion conversion)
        {
            var type = Hl7DataTypes.Clean(ed.Component(2).Value).ToUpperInvariant() switch
            {
                "AP" or "APPLICATION" or "SD" => "application",
                "IM" or "IMAGE" or "SI" or "NS" => "image",
                "AU" or "AUDIO" => "audio",
                "TEXT" or "TX" or "FT" => "text",
                "MULTIPART" => "multipart",
                "" => "application",
                var other => other.ToLowerInvariant(),
            };
            var subtype = Hl7DataTypes.Clean(ed.Component(3).Value).ToLowerInvariant();
            if (subtype.Length == 0)
            {
                subtype = type == "text" ? "plain" : "octet-stream";
            }

            var encoding = Hl7DataTypes.Clean(ed.Component(4).Value).ToUpperInvariant();
            var data = ed.Component(5).Value;
            byte[]? bytes = encoding switch
            {
                "BASE64" => FromBase64(data),
                "HEX" => FromHex(data),
                "A" or "" => conversion.Message.Encoding.GetBytes(data),
                _ => null,
            };
            if (bytes is null || bytes.Length == 0)
            {
                conversion.Report(Hl7IssueCode.InvalidEncapsulatedData, Hl7IssueSeverity.Error,
                    $"OBX-5 encapsulated data is empty or not valid '{encoding}'", obx, 5);
                return null;
            }

            return new Attachment { ContentType = $"{type}/{subtype}", Data = bytes };
        }

        private static byte[]? FromBase64(string data)
        {
            // Senders wrap Base64 across lines (\.br\ once decoded); white space is not data.
            var compact = string.Concat(data.Where(c => !char.IsWhiteSpace(c)));
            var buffer = new byte[compact.Length * 3 / 4 + 3];
            return Convert.TryFromBase64String(compact, buffer, out var written) ? buffer[..written] : null;
        }

        private static byte[]? FromHex(string data)
        {
            try
            {
                return Convert.FromHexString(string.Concat(data.Where(c => !char.IsWhiteSpace(c))));
            }
            catch (FormatException)
            {
                return null;
            }
        }
    }
}

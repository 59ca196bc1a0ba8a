using System.Xml;
using System.Xml.Linq;
using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Ccda;

/// <summary>
/// C-CDA documents (CDA R2 with the C-CDA R2.1 US Realm Header) to FHIR R4: recordTarget -> Patient, the document ->
/// DocumentReference whose first attachment is the original XML. Pure: no I/O, no clock. The XML is read without DTDs or
/// external resources (no XXE) and with a size bound; anything unexpected becomes an issue, never an exception. The
/// DocumentReference names its subject by identifier, so the caller decides which stored Patient that is. The section
/// narratives become a second attachment (text/plain, titled <see cref="NarrativeTitle"/>) rather than the description, which
/// R4 means as a short summary and which holds the document's title.
/// </summary>
public static class CcdaToFhir
{
    public const string ConverterTagSystem = Hl7v2ToFhir.ConverterTagSystem;
    public const string ConverterTagCode = "ccda";
    public const string ContentType = "application/cda+xml";
    public const string NarrativeTitle = "Narrative text";

    /// <summary>IHE format codes (R4 valueset-formatcodes.html), naming the template an attachment follows.</summary>
    public const string FormatCodeSystem = "http://ihe.net/fhir/ihe.formatcode.fhir/CodeSystem/formatcode";

    public const string ConfidentialitySystem = "http://terminology.hl7.org/CodeSystem/v3-Confidentiality";

    /// <summary>Documents with embedded PDFs run to megabytes; beyond this a file is refused rather than loaded.</summary>
    public const int DefaultMaxBytes = 64 * 1024 * 1024;

    public static bool TryConvert(byte[] input, out CcdaConversionResult result) => TryConvert(input, DefaultMaxBytes, out result);

    /// <returns>True when resources were produced and no issue is an error.</returns>
    public static bool TryConvert(byte[] input, int maxBytes, out CcdaConversionResult result)
    {
        ArgumentNullException.ThrowIfNull(input);
        var conversion = new CcdaConversion();
        if (Load(input, maxBytes, conversion) is { } document)
        {
            Convert(document, input, maxBytes, conversion);
        }

        result = new CcdaConversionResult(conversion.Resources, conversion.Issues);
        return result.Succeeded;
    }

    /// <summary>True when the bytes are XML whose root element is ClinicalDocument in urn:hl7-org:v3; reads only up to that element.</summary>
    public static bool IsClinicalDocument(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        try
        {
            using var stream = new MemoryStream(input, writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings(input.Length));
            return reader.MoveToContent() == XmlNodeType.Element && reader.LocalName == "ClinicalDocument" && reader.NamespaceURI == CcdaDataTypes.V3.NamespaceName;
        }
        catch (XmlException)
        {
            return false;
        }
    }

    internal static ResourceReference? OrganizationReference(XElement? organization, CcdaConversion conversion)
    {
        var identifier = organization.Children("id").Select(id => CcdaDataTypes.Identifier(id, conversion)).FirstOrDefault(i => i is not null);
        var name = organization.Child("name").Text();
        return identifier is null && name is null ? null : new ResourceReference { Type = "Organization", Identifier = identifier, Display = name };
    }

    private static XmlReaderSettings ReaderSettings(int maxBytes) => new()
    {
        DtdProcessing = DtdProcessing.Prohibit,
        XmlResolver = null,
        MaxCharactersFromEntities = 0,
        MaxCharactersInDocument = maxBytes,
        IgnoreComments = true,
        IgnoreProcessingInstructions = true,
    };

    private static XElement? Load(byte[] input, int maxBytes, CcdaConversion conversion)
    {
        if (input.Length == 0)
        {
            conversion.Report(CcdaIssueCode.EmptyInput, CcdaIssueSeverity.Error, "the input is empty", null);
            return null;
        }

        if (input.Length > maxBytes)
        {
            conversion.Report(CcdaIssueCode.InputTooLarge, CcdaIssueSeverity.Error, $"the document is {input.Length} bytes; at most {maxBytes} are read", null);
            return null;
        }

        XDocument document;
        try
        {
            using var stream = new MemoryStream(input, writable: false);
            using var reader = XmlReader.Create(stream, ReaderSettings(maxBytes));
            document = XDocument.Load(reader, LoadOptions.SetLineInfo);
        }
        catch (XmlException e)
        {
            // DtdProcessing.Prohibit refuses any DOCTYPE, which is how entity expansion and external entities (XXE) are kept out.
            var dtd = e.Message.Contains("DTD", StringComparison.Ordinal) || input.AsSpan(0, Math.Min(input.Length, 4096)).IndexOf("<!DOCTYPE"u8) >= 0;
            conversion.Issues.Add(new CcdaIssue(dtd ? CcdaIssueCode.DtdNotAllowed : CcdaIssueCode.NotWellFormedXml, CcdaIssueSeverity.Error,
                dtd ? "the document has a DOCTYPE; DTDs are not read (they allow entity expansion and external entities)" : $"not well-formed XML: {e.Message}",
                e.LineNumber));
            return null;
        }

        var root = document.Root!;
        if (root.Name != CcdaDataTypes.V3 + "ClinicalDocument")
        {
            conversion.Report(CcdaIssueCode.NotClinicalDocument, CcdaIssueSeverity.Error,
                $"the root element is {{{root.Name.NamespaceName}}}{root.Name.LocalName}, not ClinicalDocument in urn:hl7-org:v3", root);
            return null;
        }

        return root;
    }

    private static void Convert(XElement root, byte[] input, int maxBytes, CcdaConversion conversion)
    {
        var template = Template(root, conversion);
        var custodian = OrganizationReference(root.Path("custodian", "assignedCustodian", "representedCustodianOrganization"), conversion);
        if (custodian is null)
        {
            conversion.Report(CcdaIssueCode.MissingCustodian, CcdaIssueSeverity.Warning, "custodian names no organization; meta.source names an unknown custodian", root);
        }
        else
        {
            var key = custodian.Identifier is { } id ? $"{id.System}|{id.Value}" : custodian.Display ?? "unknown";
            conversion.Source = "urn:fhir-phr:ccda:" + Uri.EscapeDataString(key);
        }

        var patients = new List<Patient>();
        foreach (var patientRole in root.Children("recordTarget").Select(r => r.Child("patientRole")).OfType<XElement>())
        {
            var patient = CcdaPatientMapper.Map(patientRole, conversion);
            conversion.Add(patient);
            patients.Add(patient);
        }

        if (patients.Count == 0)
        {
            conversion.Report(CcdaIssueCode.MissingRecordTarget, CcdaIssueSeverity.Error, "no recordTarget/patientRole: the document has no patient", root);
        }
        else if (patients.Count > 1)
        {
            conversion.Report(CcdaIssueCode.MultipleRecordTargets, CcdaIssueSeverity.Warning,
                $"{patients.Count} recordTargets; the DocumentReference's subject is the first", root.Child("recordTarget"));
        }

        var document = new DocumentReference
        {
            Status = DocumentReferenceStatus.Current,
            MasterIdentifier = CcdaDataTypes.Identifier(root.Child("id"), conversion),
            Type = DocumentType(root, template, conversion),
            Description = root.Child("title").Text(),
            Custodian = custodian,
            Subject = patients.FirstOrDefault()?.Identifier.FirstOrDefault() is { } subject
                ? new ResourceReference { Type = "Patient", Identifier = (Identifier)subject.DeepCopy() }
                : null,
        };
        if (document.MasterIdentifier is null)
        {
            conversion.Report(CcdaIssueCode.MissingDocumentId, CcdaIssueSeverity.Warning, "ClinicalDocument/id is missing; the document has no master identifier", root);
        }

        var effective = root.Child("effectiveTime");
        FhirDateTime? created = null;
        if (conversion.Time(effective) is { } time)
        {
            var offset = conversion.OffsetFor(time, effective!);
            document.Date = time.ToDateTimeOffset(offset);
            created = new FhirDateTime(time.ToFhirDateTime(offset));
        }
        else
        {
            conversion.Report(CcdaIssueCode.MissingEffectiveTime, CcdaIssueSeverity.Warning, "ClinicalDocument/effectiveTime has no usable value; the document has no date", effective ?? root);
        }

        document.Author.AddRange(root.Children("author").Select(a => ParticipantReference(a.Child("assignedAuthor"), conversion)).OfType<ResourceReference>());
        if (root.Path("legalAuthenticator", "assignedEntity") is { } legal)
        {
            // A legally authenticated document is final (CDA R2 4.2.2.4: legalAuthenticator signs the document as a whole).
            document.Authenticator = ParticipantReference(legal, conversion);
            document.DocStatus = CompositionStatus.Final;
        }

        AddSecurityLabel(document, root, conversion);
        AddRelations(document, root, conversion);
        document.Context = Context(root, conversion);
        CcdaBody.AddContent(document, root, input, created, maxBytes, template.Known is not null, template.Extension, conversion);
        conversion.Add(document);
    }

    /// <summary>The first templateId that names a C-CDA document template; an unknown one is reported and the header read as CDA R2.</summary>
    private static (CcdaTemplate? Known, string? Extension) Template(XElement root, CcdaConversion conversion)
    {
        var ids = root.Children("templateId").ToList();
        foreach (var id in ids)
        {
            if (id.Attr("root") is { } oid && CcdaTemplates.Documents.TryGetValue(oid, out var known))
            {
                return (known, id.Attr("extension"));
            }
        }

        var listed = ids.Select(id => id.Attr("root")).OfType<string>().ToList();
        conversion.Report(CcdaIssueCode.UnknownTemplate, CcdaIssueSeverity.Information,
            listed.Count == 0
                ? "the document has no templateId; its header is read as plain CDA R2"
                : $"none of the templateIds ({string.Join(", ", listed)}) is a C-CDA document template; its header is read as plain CDA R2",
            root);
        var header = ids.FirstOrDefault(id => id.Attr("root") == CcdaTemplates.UsRealmHeader);
        return (null, header?.Attr("extension"));
    }

    /// <summary>ClinicalDocument/code; when missing, the code the template fixes, else the title as text (the PHR profile needs a type).</summary>
    private static CodeableConcept DocumentType(XElement root, (CcdaTemplate? Known, string? Extension) template, CcdaConversion conversion)
    {
        if (CcdaDataTypes.Concept(root.Child("code")) is { } code)
        {
            return code;
        }

        if (template.Known is { LoincCode: { } loinc } known)
        {
            conversion.Report(CcdaIssueCode.MissingDocumentCode, CcdaIssueSeverity.Warning,
                $"ClinicalDocument/code is missing; the {known.Name} template's type LOINC {loinc} is used", root);
            return new CodeableConcept("http://loinc.org", loinc, known.LoincDisplay, null);
        }

        var text = root.Child("title").Text() ?? "Clinical document";
        conversion.Report(CcdaIssueCode.MissingDocumentCode, CcdaIssueSeverity.Warning,
            $"ClinicalDocument/code is missing and no template fixes one; the type is the text '{text}'", root);
        return new CodeableConcept { Text = text };
    }

    /// <summary>An author or authenticator (assignedAuthor, assignedEntity): a person, else a device, else the organisation, by identifier and name.</summary>
    private static ResourceReference? ParticipantReference(XElement? assigned, CcdaConversion conversion)
    {
        if (assigned is null)
        {
            return null;
        }

        var identifier = assigned.Children("id").Select(id => CcdaDataTypes.Identifier(id, conversion)).FirstOrDefault(i => i is not null);
        var device = assigned.Child("assignedAuthoringDevice");
        var (type, display) = CcdaDataTypes.Display(assigned.Path("assignedPerson", "name")) is { } person
            ? ("Practitioner", person)
            : device is not null
                ? ("Device", device.Child("softwareName").Text() ?? device.Child("manufacturerModelName").Text())
                : ("Organization", assigned.Path("representedOrganization", "name").Text());
        return identifier is null && display is null ? null : new ResourceReference { Type = type, Identifier = identifier, Display = display };
    }

    /// <summary>confidentialityCode (CDA R2, v3 Confidentiality: U, L, M, N, R, V) as a security label.</summary>
    private static void AddSecurityLabel(DocumentReference document, XElement root, CcdaConversion conversion)
    {
        var code = root.Child("confidentialityCode");
        var value = code.Attr("code");
        var display = value switch
        {
            "U" => "unrestricted",
            "L" => "low",
            "M" => "moderate",
            "N" => "normal",
            "R" => "restricted",
            "V" => "very restricted",
            _ => null,
        };
        if (display is not null)
        {
            document.SecurityLabel.Add(new CodeableConcept(ConfidentialitySystem, value, display, null));
        }
        else if (value is not null || code is null)
        {
            conversion.Report(CcdaIssueCode.UnknownConfidentiality, CcdaIssueSeverity.Warning,
                value is null ? "confidentialityCode is missing; the document has no security label" : $"confidentialityCode '{value}' is not a v3 Confidentiality code; left out",
                code ?? root);
        }
    }

    /// <summary>relatedDocument (CDA R2 4.2.3.1): RPLC replaces, APND appends, XFRM transforms the parent document, named by its id.</summary>
    private static void AddRelations(DocumentReference document, XElement root, CcdaConversion conversion)
    {
        foreach (var related in root.Children("relatedDocument"))
        {
            var typeCode = related.Attr("typeCode");
            DocumentRelationshipType? relation = typeCode switch
            {
                "RPLC" => DocumentRelationshipType.Replaces,
                "APND" => DocumentRelationshipType.Appends,
                "XFRM" => DocumentRelationshipType.Transforms,
                _ => null,
            };
            if (relation is null)
            {
                conversion.Report(CcdaIssueCode.UnknownRelationType, CcdaIssueSeverity.Warning,
                    $"relatedDocument typeCode '{typeCode}' is not RPLC, APND or XFRM; left out", related);
                continue;
            }

            var parent = related.Path("parentDocument", "id");
            if (CcdaDataTypes.Identifier(parent, conversion) is not { } target)
            {
                conversion.Report(CcdaIssueCode.InvalidIdentifier, CcdaIssueSeverity.Warning, "relatedDocument/parentDocument has no id; the relation is left out", related);
                continue;
            }

            document.RelatesTo.Add(new DocumentReference.RelatesToComponent
            {
                Code = relation,
                Target = new ResourceReference { Type = "DocumentReference", Identifier = target },
            });
        }
    }

    /// <summary>The clinical context: the service event (documentationOf) or else the encounter (componentOf) for the period.</summary>
    private static DocumentReference.ContextComponent? Context(XElement root, CcdaConversion conversion)
    {
        var context = new DocumentReference.ContextComponent();
        var encounter = root.Path("componentOf", "encompassingEncounter");
        foreach (var serviceEvent in root.Children("documentationOf").Select(d => d.Child("serviceEvent")).OfType<XElement>())
        {
            if (CcdaDataTypes.Concept(serviceEvent.Child("code")) is { } code)
            {
                context.Event.Add(code);
            }

            context.Period ??= Period(serviceEvent.Child("effectiveTime"), conversion);
        }

        context.Period ??= Period(encounter.Child("effectiveTime"), conversion);
        if (encounter.Children("id").Select(id => CcdaDataTypes.Identifier(id, conversion)).FirstOrDefault(i => i is not null) is { } encounterId)
        {
            context.Encounter.Add(new ResourceReference { Type = "Encounter", Identifier = encounterId });
        }

        context.FacilityType = CcdaDataTypes.Concept(encounter.Path("location", "healthCareFacility", "code"));
        return context.Event.Count > 0 || context.Period is not null || context.Encounter.Count > 0 || context.FacilityType is not null ? context : null;
    }

    /// <summary>IVL_TS: low and high, or a single value as the start.</summary>
    private static Period? Period(XElement? interval, CcdaConversion conversion)
    {
        if (interval is null)
        {
            return null;
        }

        var period = new Period
        {
            StartElement = conversion.DateTime(interval.Child("low")) ?? conversion.DateTime(interval),
            EndElement = conversion.DateTime(interval.Child("high")),
        };
        return period.StartElement is null && period.EndElement is null ? null : period;
    }
}

using System.Globalization;
using System.Text;
using Fhir.Phr.Import.Ccda;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Ccda;

public sealed class CcdaDocumentTests
{
    private const string Loinc = "http://loinc.org";
    private const string Oid = "urn:oid:2.16.840.1.113883.3.9999.";
    private const string Cda = "application/cda+xml";
    private const string Narrative = "text/plain; charset=utf-8";
    private const string Structured21 = "urn:hl7-org:sdwg:ccda-structuredBody:2.1";
    private const string NonXml21 = "urn:hl7-org:sdwg:ccda-nonXMLBody:2.1";
    private const string SegH = "St. Elsewhere General Hospital";
    private const string Mercy = "Mercy County Hospital";
    private const string Riverside = "Riverside Family Practice";

    /// <summary>What a document's DocumentReference must hold, written out by hand from the sample.</summary>
    private sealed record Expected(
        string? TypeCode,
        string? TypeText,
        string Date,
        string MasterIdentifier,
        string Subject,
        string? Confidentiality,
        CompositionStatus? DocStatus,
        string[] Authors,
        string? Custodian,
        string Description,
        string Format,
        string[] ContentTypes,
        CcdaIssueCode[] Issues);

    private static readonly Dictionary<string, Expected> Documents = new(StringComparer.Ordinal)
    {
        ["ccd.xml"] = new("34133-9", null, "2026-03-10T14:30:00+01:00", Oid + "100|CCD-0001", Oid + "1|4471203", "N", CompositionStatus.Final,
            ["Dr. Helen Carter"], SegH, "Continuity of Care Document", Structured21, [Cda, Narrative], []),
        ["discharge-summary.xml"] = new("18842-5", null, "2026-03-09T17:15:00-06:00", Oid + "100|DS-2026-0042", Oid + "1|300517", "R", CompositionStatus.Final,
            ["Dr. Samuel Reyes"], Mercy, "Discharge Summary", Structured21, [Cda, Narrative], []),
        ["referral-note.xml"] = new("57133-1", null, "2026-02-15T00:00:00+00:00", Oid + "100|REF-7781", Oid + "2|LAB-00981", "N", null,
            ["Dr. Anna Lind"], Riverside, "Referral to Cardiology", Structured21, [Cda, Narrative], []),
        ["imaging-report.xml"] = new("18748-4", null, "2026-03-11T09:45:00+00:00", Oid + "100|RAD-2026-311", Oid + "1|RAD-552817", "N", CompositionStatus.Final,
            ["Synthetic RIS reporting", "Dr. Priya Nair"], "Department of Radiology", "CT Chest Report", Structured21, [Cda, Narrative], []),
        ["progress-note.xml"] = new("11506-3", null, "2026-02-20T10:30:00+00:00", Oid + "100|PN-1001", Oid + "1|88213", "N", null,
            ["Dr. Anna Lind"], Riverside, "Progress Note", "urn:hl7-org:sdwg:ccda-structuredBody:1.1", [Cda, Narrative], [CcdaIssueCode.TimeZoneAssumed]),
        ["progress-note-replacement.xml"] = new("11506-3", null, "2026-02-21T09:00:00+01:00", Oid + "100|PN-1001-v2", Oid + "1|88213", "N", null,
            ["Dr. Anna Lind"], Riverside, "Progress Note (corrected)", Structured21, [Cda, Narrative], []),
        ["consultation-note.xml"] = new("11488-4", null, "2026-01-18T11:00:00+00:00", Oid + "100|CON-314", Oid + "1|551020", "V", null,
            ["Dr. Omar Haddad"], Mercy, "Psychiatry Consultation", Structured21, [Cda, Narrative], []),
        ["history-and-physical.xml"] = new("34117-2", null, "2025-12-30T00:00:00+00:00", Oid + "100|HP-55", Oid + "1|770044", "N", null,
            ["Dr. Samuel Reyes"], Mercy, "History and Physical", Structured21, [Cda, Narrative], []),
        ["operative-note.xml"] = new("11504-8", null, "2026-02-01T14:30:00+00:00", Oid + "100|OP-77", Oid + "1|RAD-552817", "N", null,
            ["Dr. Luis Ortega"], Mercy, "Operative Note", Structured21, [Cda, Narrative], []),
        ["transfer-summary-two-patients.xml"] = new("18761-7", null, "2026-01-20T00:00:00+00:00", Oid + "100|TS-3", Oid + "1|300517", "N", null,
            ["Dr. Samuel Reyes"], Mercy, "Transfer Summary", Structured21, [Cda, Narrative], [CcdaIssueCode.MultipleRecordTargets]),
        ["unstructured-pdf.xml"] = new("11502-2", null, "2026-03-08T09:15:00+01:00", Oid + "100|UNS-900", Oid + "2|LAB-00981", "N", null,
            ["Dr. Eva Holm"], "Northwind Clinical Laboratory", "Laboratory results (scanned)", NonXml21, [Cda, "application/pdf"], []),
        ["unstructured-text-deflate.xml"] = new("11488-4", null, "2026-03-12T00:00:00+00:00", Oid + "100|UNS-901", Oid + "1|551020", "N", null,
            ["Dr. Omar Haddad"], Mercy, "Telephone consultation", NonXml21, [Cda, "text/plain"], []),
        ["discharge-summary-no-code.xml"] = new("18842-5", null, "2026-03-05T00:00:00+00:00", "urn:ietf:rfc:3986|urn:uuid:0d4c3b2a-1f2e-4d5c-8b7a-6e5f4d3c2b1a",
            "urn:uuid:7f3e2d1c-0b9a-4f8e-8d7c-6b5a4f3e2d1c|PAT-9", null, null, ["Dr. Samuel Reyes"], Mercy, "Discharge Summary", Structured21, [Cda, Narrative],
            [CcdaIssueCode.MissingDocumentCode, CcdaIssueCode.UnknownConfidentiality]),
        ["plain-cda-unknown-template.xml"] = new(null, "Clinic letter", "2026-01-10T00:00:00+00:00", "urn:oid:1.2.3.4.5.6.7.8|LOCAL-1", "urn:oid:1.2.3.4.5.6.7.9|P-1", "N", null,
            [], null, "Clinic letter", "urn:ihe:iti:xds:2017:mimeTypeSufficient", [Cda, Narrative],
            [CcdaIssueCode.UnknownTemplate, CcdaIssueCode.MissingCustodian, CcdaIssueCode.UnknownGender, CcdaIssueCode.MissingDocumentCode]),
    };

    public static TheoryData<string> GoodFiles => [.. CcdaSamples.GoodFiles()];

    [Fact]
    public void Samples_CoverTheDocumentTemplates_AndEveryGoodFileHasAnExpectation()
    {
        var templates = CcdaSamples.GoodFiles()
            .Select(f => System.Xml.Linq.XDocument.Load(Path.Combine(CcdaSamples.Directory, f)).Root!)
            .SelectMany(root => root.Elements(System.Xml.Linq.XName.Get("templateId", "urn:hl7-org:v3")))
            .Select(t => t.Attribute("root")!.Value)
            .Where(CcdaTemplates.Documents.ContainsKey)
            .ToHashSet();

        Assert.Equal(Documents.Keys.Order(StringComparer.Ordinal), CcdaSamples.GoodFiles());
        Assert.True(Documents.Count >= 10);
        Assert.True(templates.Count >= 9, string.Join(", ", templates));
    }

    [Theory]
    [MemberData(nameof(GoodFiles))]
    public void TryConvert_Document_MapsTheHeaderFieldByField(string file)
    {
        var expected = Documents[file];

        var ok = CcdaToFhir.TryConvert(CcdaSamples.Read(file), out var result);

        Assert.True(ok, string.Join("; ", result.Issues));
        Assert.Equal(expected.Issues.Order(), result.Issues.Select(i => i.Code).Order());
        var document = Assert.Single(result.Resources.OfType<DocumentReference>());
        Assert.Equal(DocumentReferenceStatus.Current, document.Status);
        Assert.Equal(expected.TypeCode, document.Type.Coding.SingleOrDefault()?.Code);
        Assert.Equal(expected.TypeCode is null ? null : Loinc, document.Type.Coding.SingleOrDefault()?.System);
        if (expected.TypeText is not null)
        {
            Assert.Equal(expected.TypeText, document.Type.Text);
        }

        Assert.Equal(DateTimeOffset.Parse(expected.Date, CultureInfo.InvariantCulture), document.Date);
        Assert.Equal(expected.Date[..19], document.Date!.Value.ToString("yyyy-MM-dd'T'HH:mm:ss", CultureInfo.InvariantCulture));
        Assert.Equal(expected.MasterIdentifier, $"{document.MasterIdentifier.System}|{document.MasterIdentifier.Value}");
        Assert.Null(document.Subject.Reference);
        Assert.Equal(expected.Subject, $"{document.Subject.Identifier.System}|{document.Subject.Identifier.Value}");
        Assert.Equal(expected.Confidentiality, document.SecurityLabel.SingleOrDefault()?.Coding.Single().Code);
        Assert.All(document.SecurityLabel, l => Assert.Equal(CcdaToFhir.ConfidentialitySystem, l.Coding.Single().System));
        Assert.Equal(expected.DocStatus, document.DocStatus);
        Assert.Equal(expected.Authors, document.Author.Select(a => a.Display));
        Assert.Equal(expected.Custodian, document.Custodian?.Display);
        Assert.Equal(expected.Description, document.Description);
        Assert.Equal(expected.Format, document.Content[0].Format.Code);
        Assert.Equal(expected.ContentTypes, document.Content.Select(c => c.Attachment.ContentType));
        Assert.Equal(CcdaSamples.Read(file), document.Content[0].Attachment.Data);
        Assert.Equal("en-US", document.Content[0].Attachment.Language);
    }

    [Theory]
    [MemberData(nameof(GoodFiles))]
    public void TryConvert_Document_EveryResourceIsValidR4AndTaggedWithTheConverter(string file)
    {
        var result = CcdaSamples.Convert(file);

        Assert.NotEmpty(result.Resources);
        foreach (var resource in result.Resources)
        {
            R4Conformance.AssertValid(resource);
            Assert.Equal((CcdaToFhir.ConverterTagSystem, "ccda"), (resource.Meta.Tag.Single().System, resource.Meta.Tag.Single().Code));
            Assert.StartsWith("urn:fhir-phr:ccda:", resource.Meta.Source, StringComparison.Ordinal);
            Assert.True(Uri.IsWellFormedUriString(resource.Meta.Source, UriKind.Absolute), resource.Meta.Source);
        }
    }

    [Fact]
    public void TryConvert_Ccd_ExtractsSectionNarrativesAsPlainText()
    {
        var document = CcdaSamples.Convert("ccd.xml").Resources.OfType<DocumentReference>().Single();

        var narrative = document.Content[1].Attachment;
        Assert.Equal(CcdaToFhir.NarrativeTitle, narrative.Title);
        Assert.Equal(
            "Allergies and Intolerances\nSubstance\tReaction\tStatus\nPenicillin G\tHives\tActive\nLatex\tContact dermatitis\tActive\n\n"
            + "Medications\nSalbutamol 100 micrograms inhaler, two puffs as needed\nAtorvastatin 20 mg, one tablet at night\n\n"
            + "Problems\nAsthma, since childhood.\nHypercholesterolaemia.\nDiet advice given.",
            Encoding.UTF8.GetString(narrative.Data));
    }

    [Fact]
    public void TryConvert_NestedSections_AreEachExtractedOnce()
    {
        var document = CcdaSamples.Convert("history-and-physical.xml").Resources.OfType<DocumentReference>().Single();

        Assert.Equal("History of Present Illness\nShortness of breath for two days.\n\nReview of Systems\nNo chest pain.",
            Encoding.UTF8.GetString(document.Content[1].Attachment.Data));
    }

    [Fact]
    public void TryConvert_NonXmlBodyPdf_IsUnpackedByteForByte()
    {
        var document = CcdaSamples.Convert("unstructured-pdf.xml").Resources.OfType<DocumentReference>().Single();

        var pdf = document.Content[1].Attachment;
        Assert.Equal(File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "sample-data", "documents", "lab-report.pdf")), pdf.Data);
        Assert.Equal("Laboratory results (scanned)", pdf.Title);
    }

    [Fact]
    public void TryConvert_DeflatedTextBody_IsInflated()
    {
        var document = CcdaSamples.Convert("unstructured-text-deflate.xml").Resources.OfType<DocumentReference>().Single();

        Assert.Equal("Telephone consultation.\nPatient reports improvement.\nNo change to treatment.\n", Encoding.UTF8.GetString(document.Content[1].Attachment.Data));
    }

    [Fact]
    public void TryConvert_ReplacementDocument_ReplacesTheParentById()
    {
        var document = CcdaSamples.Convert("progress-note-replacement.xml").Resources.OfType<DocumentReference>().Single();

        var relation = Assert.Single(document.RelatesTo);
        Assert.Equal(DocumentRelationshipType.Replaces, relation.Code);
        Assert.Equal(("DocumentReference", Oid + "100", "PN-1001"), (relation.Target.Type, relation.Target.Identifier.System, relation.Target.Identifier.Value));
    }

    [Fact]
    public void TryConvert_DischargeSummary_TakesTheEncounterAsContext()
    {
        var context = CcdaSamples.Convert("discharge-summary.xml").Resources.OfType<DocumentReference>().Single().Context;

        Assert.Equal(("2026-03-02T09:30:00-06:00", "2026-03-09T16:00:00-06:00"), (context.Period.Start, context.Period.End));
        Assert.Equal(("Encounter", Oid + "40", "ENC-88121"), (context.Encounter.Single().Type, context.Encounter.Single().Identifier.System, context.Encounter.Single().Identifier.Value));
        Assert.Equal(("http://terminology.hl7.org/CodeSystem/v3-RoleCode", "HOSP"), (context.FacilityType.Coding[0].System, context.FacilityType.Coding[0].Code));
    }

    [Theory]
    [InlineData("imaging-report.xml", "http://loinc.org", "24627-2", "2026-03-11T09:00:00+00:00", null)]
    [InlineData("operative-note.xml", "http://snomed.info/sct", "80146002", "2026-02-01T12:00:00+00:00", "2026-02-01T13:30:00+00:00")]
    [InlineData("ccd.xml", null, null, "2025-01-01", "2026-03-10")]
    public void TryConvert_ServiceEvent_GivesEventAndPeriod(string file, string? system, string? code, string start, string? end)
    {
        var context = CcdaSamples.Convert(file).Resources.OfType<DocumentReference>().Single().Context;

        Assert.Equal((system, code), (context.Event.SingleOrDefault()?.Coding[0].System, context.Event.SingleOrDefault()?.Coding[0].Code));
        Assert.Equal((start, end), (context.Period.Start, context.Period.End));
    }

    [Fact]
    public void TryConvert_ImagingReport_NamesTheDeviceAuthorAsDevice()
    {
        var authors = CcdaSamples.Convert("imaging-report.xml").Resources.OfType<DocumentReference>().Single().Author;

        Assert.Equal(["Device", "Practitioner"], authors.Select(a => a.Type));
        Assert.Equal(("urn:oid:2.16.840.1.113883.4.6", "5556667772"), (authors[1].Identifier.System, authors[1].Identifier.Value));
    }
}

using System.Text;
using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Hl7v2;

public sealed class Hl7DocumentConversionTests
{
    private const string Loinc = "http://loinc.org";

    /// <summary>file, type (system, code), date, master identifier, content type, start of the attachment text.</summary>
    public static TheoryData<string, string?, string, string, string, string, string> Documents => new()
    {
        { "mdm-t02-text.hl7", Loinc, "18842-5", "2026-03-11T15:30:00+01:00", "DOC-7781", "text/plain", "Patient admitted with community acquired pneumonia.\nTreated with oral amoxicillin; afebrile after 48 h.\nDischarged home, GP review in 2 weeks." },
        { "mdm-t02-ft-escapes.hl7", "http://terminology.hl7.org/CodeSystem/v2-0270", "DS", "2026-03-11T00:00:00+01:00", "DOC-7782", "text/plain", "Diagnosis| asthma\nPlan^ inhaler & spacer\nRef~2 \\ &= bold \\Q7\\" },
        { "mdm-t04-addendum.hl7", Loinc, "11506-3", "2026-03-12T08:15:00+01:00", "DOC-7783", "text/plain", "Addendum: potassium repeated, now 4.1 mmol/L." },
        { "mdm-t02-pdf.hl7", Loinc, "34117-2", "2026-03-10T10:10:10+01:00", "DOC-7784", "application/pdf", "%PDF-1.4" },
        { "oru-r01-text.hl7", Loinc, "36643-5", "2026-03-09T14:15:00+01:00", "RAD-2001", "text/plain", "FINDINGS: Lungs are clear.\nIMPRESSION: No acute disease." },
        { "oru-r01-pdf.hl7", Loinc, "11502-2", "2026-03-08T09:00:00+01:00", "LAB-3001", "application/pdf", "%PDF-1.4" },
        { "oru-r01-lab.hl7", Loinc, "24323-8", "2026-03-08T09:15:00+01:00", "LAB-3002", "text/plain", "Sodium: 139 mmol/L\nPotassium: 3.2 mmol/L\nColor of Urine: Yellow" },
    };

    [Theory]
    [MemberData(nameof(Documents))]
    public void Convert_Document_MapsTypeDateSubjectAndAttachment(string file, string? typeSystem, string typeCode, string date, string masterIdentifier, string contentType, string content)
    {
        var result = Hl7Corpus.Convert(file);

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        var patient = Assert.Single(result.Resources.OfType<Patient>());
        var document = Assert.Single(result.Resources.OfType<DocumentReference>());
        Assert.Equal(DocumentReferenceStatus.Current, document.Status);
        var type = document.Type.Coding[0];
        Assert.Equal((typeSystem, typeCode), (type.System, type.Code));
        Assert.Equal(DateTimeOffset.Parse(date, System.Globalization.CultureInfo.InvariantCulture), document.Date);
        Assert.Equal(masterIdentifier, document.MasterIdentifier.Value);
        Assert.Null(document.Subject.Reference);
        Assert.Equal((patient.Identifier[0].System, patient.Identifier[0].Value), (document.Subject.Identifier.System, document.Subject.Identifier.Value));
        var attachment = Assert.Single(document.Content).Attachment;
        Assert.Equal(contentType, attachment.ContentType);
        Assert.StartsWith(content, Encoding.UTF8.GetString(attachment.Data), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("mdm-t02-text.hl7", CompositionStatus.Final, "Adaeze Okafor")]
    [InlineData("mdm-t04-addendum.hl7", CompositionStatus.Final, null)]
    [InlineData("mdm-t02-ft-escapes.hl7", CompositionStatus.Final, null)]
    public void Convert_Txa_MapsCompletionStatusAndAuthor(string file, CompositionStatus expected, string? author)
    {
        var document = Hl7Corpus.Convert(file).Resources.OfType<DocumentReference>().Single();

        Assert.Equal(expected, document.DocStatus);
        Assert.Equal(author, document.Author.SingleOrDefault()?.Display);
    }

    [Theory]
    [InlineData("mdm-t02-pdf.hl7")]
    [InlineData("oru-r01-pdf.hl7")]
    public void Convert_EncapsulatedPdf_IsTheCommittedPdfByteForByte(string file)
    {
        var document = Hl7Corpus.Convert(file).Resources.OfType<DocumentReference>().Single();

        Assert.Equal(File.ReadAllBytes(Path.Combine(Hl7Corpus.Directory, "synthetic-report.pdf")), document.Content.Single().Attachment.Data);
    }

    [Fact]
    public void Convert_OruWithTwoOrders_GivesOneDocumentPerObr()
    {
        var result = Hl7Corpus.Convert("oru-r01-two-orders.hl7");

        var documents = result.Resources.OfType<DocumentReference>().ToList();
        Assert.Empty(result.Issues);
        Assert.Equal(["24627-2", "30746-2"], documents.Select(d => d.Type.Coding[0].Code));
        Assert.Equal(["No pulmonary embolism.", "Medial meniscus tear."], documents.Select(d => Encoding.UTF8.GetString(d.Content.Single().Attachment.Data)));
        Assert.Equal(["RAD-2002", "RAD-2003"], documents.Select(d => d.MasterIdentifier.Value));
    }

    [Fact]
    public void Convert_MdmWithoutContent_ReportsErrorAndKeepsPatient()
    {
        var result = Hl7Corpus.Convert("mdm-t02-no-content.hl7");

        Assert.Single(result.Resources.OfType<Patient>());
        Assert.Empty(result.Resources.OfType<DocumentReference>());
        var issue = Assert.Single(result.Issues);
        Assert.Equal((Hl7IssueCode.MissingDocumentContent, Hl7IssueSeverity.Error, "TXA"), (issue.Code, issue.Severity, issue.Segment));
    }

    [Fact]
    public void Convert_InvalidBase64_ReportsTheObxField()
    {
        var result = Hl7Corpus.Convert("oru-r01-bad-base64.hl7");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Issues, i => i.Code == Hl7IssueCode.InvalidEncapsulatedData && i.Segment == "OBX" && i.Field == 5 && i.SegmentPosition == 4);
    }

    [Fact]
    public void Convert_TimeWithoutAnyOffset_AssumesUtcAndSaysSo()
    {
        Assert.True(Hl7Parser.TryParse(
            "MSH|^~\\&|A|FAC|C|D|20260312||ORU^R01|1|P|2.5.1\rPID|1||5^^^H^MR||Doe^Jo\rOBR|1||F1|X^Report|||202603121030\rOBX|1|ST|X||done\r",
            out var messages,
            out _));

        var result = Hl7v2ToFhir.Convert(messages.Single());

        Assert.Equal(new DateTimeOffset(2026, 3, 12, 10, 30, 0, TimeSpan.Zero), result.Resources.OfType<DocumentReference>().Single().Date);
        Assert.Equal(Hl7IssueCode.TimeZoneAssumed, Assert.Single(result.Issues).Code);
    }

    [Fact]
    public void Convert_ObxBeforeObr_IsReportedAndLeftOut()
    {
        Assert.True(Hl7Parser.TryParse(
            "MSH|^~\\&|A|FAC|C|D|20260312+0000||ORU^R01|1|P|2.5.1\rPID|1||5^^^H^MR||Doe^Jo\rOBX|1|ST|X||stray\rOBR|1||F1|X^Report\rOBX|1|ST|X||kept\r",
            out var messages,
            out _));

        var result = Hl7v2ToFhir.Convert(messages.Single());

        var issue = Assert.Single(result.Issues);
        Assert.Equal((Hl7IssueCode.ObservationOutsideOrder, "OBX", 3), (issue.Code, issue.Segment, issue.SegmentPosition));
        Assert.Equal("kept", Encoding.UTF8.GetString(result.Resources.OfType<DocumentReference>().Single().Content.Single().Attachment.Data));
    }

    [Fact]
    public void Convert_TextAndEncapsulatedObx_GiveTwoAttachments()
    {
        var pdf = Convert.ToBase64String("%PDF-1.7 tiny"u8.ToArray());
        Assert.True(Hl7Parser.TryParse(
            $"MSH|^~\\&|A|FAC|C|D|20260312+0000||MDM^T02|1|P|2.5.1\rPID|1||5^^^H^MR||Doe^Jo\rTXA|1|CN^Consultation|TX|20260312\rOBX|1|TX|||see attached\rOBX|2|ED|||^IM^JPEG^Base64^{pdf}\r",
            out var messages,
            out _));

        var document = Hl7v2ToFhir.Convert(messages.Single()).Resources.OfType<DocumentReference>().Single();

        Assert.Equal(["text/plain", "image/jpeg"], document.Content.Select(c => c.Attachment.ContentType));
        Assert.Equal("Consultation", document.Content[0].Attachment.Title);
    }

    [Fact]
    public void Convert_EveryResource_CarriesSourceAndConverterTag()
    {
        var resources = Hl7Corpus.WellFormedFiles().SelectMany(Hl7Corpus.Parse).SelectMany(m => Hl7v2ToFhir.Convert(m).Resources).ToList();

        Assert.True(resources.Count > 40);
        Assert.All(resources, r =>
        {
            Assert.StartsWith("urn:hl7v2:", r.Meta.Source, StringComparison.Ordinal);
            var tag = Assert.Single(r.Meta.Tag);
            Assert.Equal(("http://fhir-phr.dev/fhir/CodeSystem/converter", "hl7v2"), (tag.System, tag.Code));
        });
        Assert.Contains(resources, r => r.Meta.Source == "urn:hl7v2:NORTHWIND");
    }
}

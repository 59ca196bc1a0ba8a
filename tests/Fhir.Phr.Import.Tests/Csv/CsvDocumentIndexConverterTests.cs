using System.Text;
using Fhir.Phr.Import.Csv;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Csv;

public sealed class CsvDocumentIndexConverterTests
{
    private const string Loinc = "http://loinc.org";

    /// <summary>file, mapping file, expected documents (see <see cref="CsvSamples.Summary(DocumentReference)"/>), expected issues in order.</summary>
    public static TheoryData<string, string?, string[], string[]> Files => new()
    {
        {
            "documents-index.csv", null,
            [
                $"discharge-2024-03-01.pdf|100001|{Loinc}#18842-5#Discharge Summary|2024-03-01|2024-03-01T00:00:00+00:00|application/pdf|discharge-2024-03-01.pdf|Discharge after appendectomy",
                $"labs/cbc 2024-03-02.txt|100001|{Loinc}#11502-2#|2024-03-02T08:30:00+01:00|2024-03-02T08:30:00+01:00|text/plain|labs/cbc%202024-03-02.txt|Full blood count",
                $"chest-xray.dcm|100002|{Loinc}#18748-4#radiology report|2024-04-03|2024-04-03T00:00:00+00:00|application/dicom|chest-xray.dcm|",
                "scan-0001.jpeg|100003|##Insurance card|2024-01-15|2024-01-15T00:00:00+00:00|image/jpeg|scan-0001.jpeg|",
                $"referral.docx|100004|{Loinc}#57133-1#Referral|2024-02-10|2024-02-10T00:00:00+00:00|application/vnd.openxmlformats-officedocument.wordprocessingml.document|referral.docx|Referral to cardiology: Dr. Okafor, cardiology",
                $"notes.bin|100004|{Loinc}#11506-3#progress notes|2024-02-11T14:00:00+00:00|2024-02-11T14:00:00+00:00|application/octet-stream|notes.bin|",
                $"scan.png|100006|{Loinc}#11488-4#consultation note|2024-03-06|2024-03-06T00:00:00+00:00|image/png|scan.png|",
            ],
            [
                "TimeZoneAssumed@7:Date",
                "UnknownContentType@7:File Name",
                "MissingFileName@8:File Name",
                "MissingIdentifier@9:MRN",
                "InvalidDate@10:Date",
                "DuplicateFileName@11:File Name",
                "InvalidContentType@12:Content Type",
                "MissingDocumentType@14:Document Type",
                "MissingDate@15:Date",
            ]
        },
        {
            "documents-custom-layout.csv", "documents-custom-layout.mapping.json",
            [
                "brief-2024-05-06.pdf|H-55120|##Entlassbrief|2024-05-06|2024-05-06T00:00:00+00:00|application/pdf|brief-2024-05-06.pdf|",
                $"labor.txt|H-55121|{Loinc}#11502-2#|2024-05-07|2024-05-07T00:00:00+00:00|text/plain|labor.txt|",
            ],
            []
        },
        { "documents-custom-layout.csv", null, [], ["NoUsableHeader@1:"] },
        { "patients-comma-iso.csv", null, [], ["NoUsableHeader@1:"] },
    };

    [Theory]
    [MemberData(nameof(Files))]
    public void Convert_SampleFile_ProducesExpectedDocumentsAndIssues(string file, string? mapping, string[] documents, string[] issues)
    {
        var result = CsvSamples.Documents(file, CsvSamples.Options(mappingFile: mapping));

        Assert.Equal(documents, result.Resources.Cast<DocumentReference>().Select(CsvSamples.Summary));
        Assert.Equal(issues, result.Issues.Select(CsvSamples.Summary));
    }

    [Fact]
    public void Convert_DocumentIndex_EveryDocumentIsCurrentReferencesItsPatientAndSerialises()
    {
        var result = CsvSamples.Documents("documents-index.csv", CsvSamples.Options());

        Assert.NotEmpty(result.Resources);
        foreach (var document in result.Resources.Cast<DocumentReference>())
        {
            Assert.Equal(DocumentReferenceStatus.Current, document.Status);

            // What profiles/StructureDefinition-phr-documentreference.json requires.
            Assert.NotNull(document.Type);
            Assert.NotNull(document.Date);
            Assert.NotEmpty(document.Content.Single().Attachment.ContentType);
            Assert.Equal("Patient", document.Subject.Type);
            Assert.Null(document.Subject.Reference);
            Assert.Equal("urn:fhir-phr:mrn:st-mary", document.Subject.Identifier.System);
            Assert.Equal("urn:fhir-phr:csv:st-mary", document.Meta.Source);
            Assert.Equal("csv", document.Meta.Tag.Single().Code);
            Assert.Matches("^[0-9a-f]{32}$", document.Id);
            var json = document.ToJson();
            var parsed = new FhirJsonDeserializer().Deserialize<Resource>(json);
            Assert.True(parsed.IsExactly(document), json);
        }
    }

    [Fact]
    public void Convert_SameIndexTwice_YieldsSameIds()
    {
        var first = CsvSamples.Documents("documents-index.csv", CsvSamples.Options());
        var second = CsvSamples.Documents("documents-index.csv", CsvSamples.Options());

        Assert.Equal(first.Resources.Select(r => r.Id), second.Resources.Select(r => r.Id));
        Assert.Equal(first.Resources.Count, first.Resources.Select(r => r.Id).Distinct().Count());
    }

    [Theory]
    [InlineData("18842-5", Loinc, "18842-5", "Discharge summary", null)]
    [InlineData("34117-2", Loinc, "34117-2", null, null)]
    [InlineData("Lab Report", Loinc, "11502-2", "Laboratory report", "Lab Report")]
    [InlineData("PRESCRIPTION", Loinc, "57833-6", "Prescription for medication", "PRESCRIPTION")]
    [InlineData("discharge_summary", Loinc, "18842-5", "Discharge summary", "discharge_summary")]
    [InlineData("Consultation", Loinc, "11488-4", "Consult note", "Consultation")]
    [InlineData("Radiology Report", Loinc, "18748-4", "Diagnostic imaging study", "Radiology Report")]
    [InlineData("progress note", Loinc, "11506-3", "Progress note", "progress note")]
    [InlineData("Referral", Loinc, "57133-1", "Referral note", "Referral")]
    [InlineData("Vaccination card", null, null, null, "Vaccination card")]
    [InlineData("18842-55", null, null, null, "18842-55")]
    public void MapType_LoincCodesWordsAndText(string text, string? system, string? code, string? display, string? conceptText)
    {
        var concept = CsvDocumentIndexConverter.MapType(text);

        var coding = concept!.Coding.SingleOrDefault();
        Assert.Equal((system, code, display), (coding?.System, coding?.Code, coding?.Display));
        Assert.Equal(conceptText, concept.Text);
    }

    [Fact]
    public void Convert_MonthFirstOption_AppliesToDocumentDates()
    {
        using var stream = new MemoryStream("file,mrn,type,date\na.pdf,X-1,referral,03/04/2024\n"u8.ToArray());

        var result = CsvDocumentIndexConverter.Convert(stream, CsvSamples.Options(CsvDateOrder.MonthFirst));

        Assert.Empty(result.Issues);
        Assert.Equal("2024-03-04", Assert.IsType<DocumentReference>(Assert.Single(result.Resources)).Context.Period.Start);
    }

    [Fact]
    public void Convert_MappingWithPatientField_WarnsThatItIsNotUsed()
    {
        Assert.True(CsvColumnMapping.TryParse(
            """{ "fileName": "Datei", "identifier": "Patientennummer", "type": "Art", "date": "Datum", "dateFormat": "dd.MM.yyyy", "gender": "Sex" }""",
            out var mapping, out _));

        var result = CsvSamples.Documents("documents-custom-layout.csv", CsvSamples.Options() with { Mapping = mapping });

        Assert.Equal(2, result.Resources.Count);
        Assert.Equal(["MappingFieldNotUsed@1:Sex"], result.Issues.Select(CsvSamples.Summary));
    }

    [Fact]
    public void Convert_FileNameWithBackslashes_BecomesRelativeUrl()
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes("file,mrn,type,date\nscans\\2024\\card #1.png,X-1,scan,2024-01-01\n"));

        var result = CsvDocumentIndexConverter.Convert(stream, CsvSamples.Options());

        var attachment = Assert.IsType<DocumentReference>(Assert.Single(result.Resources)).Content.Single().Attachment;
        Assert.Equal(("scans\\2024\\card #1.png", "scans/2024/card%20%231.png", "image/png"), (attachment.Title, attachment.Url, attachment.ContentType));
    }

    [Fact]
    public void Convert_UtcOffsetOption_AppliesToDatesAndTimesWithoutOffset()
    {
        var csv = "file,mrn,type,date\na.pdf,X-1,referral,2024-03-04\nb.pdf,X-1,referral,2024-03-04 10:15\nc.pdf,X-1,referral,2024-03-04T10:15Z\n";

        var given = CsvDocumentIndexConverter.Convert(new MemoryStream(Encoding.UTF8.GetBytes(csv)), CsvSamples.Options() with { UtcOffset = TimeSpan.FromHours(2) });
        var assumed = CsvDocumentIndexConverter.Convert(new MemoryStream(Encoding.UTF8.GetBytes(csv + "d.pdf,X-1,referral,2024-03-05 09:00\n")), CsvSamples.Options());

        Assert.Empty(given.Issues);
        Assert.Equal(
            ["2024-03-04T00:00:00+02:00", "2024-03-04T10:15:00+02:00", "2024-03-04T10:15:00+00:00"],
            given.Resources.Cast<DocumentReference>().Select(d => d.Date!.Value.ToString("yyyy-MM-ddTHH:mm:sszzz", System.Globalization.CultureInfo.InvariantCulture)));
        Assert.Equal(["2024-03-04", "2024-03-04T10:15:00+02:00", "2024-03-04T10:15:00+00:00"], given.Resources.Cast<DocumentReference>().Select(d => d.Context.Period.Start));
        Assert.Equal(["TimeZoneAssumed@3:date"], assumed.Issues.Select(CsvSamples.Summary));
        Assert.Equal(4, assumed.Resources.Count);
    }

    [Fact]
    public void Convert_IndexWithoutDateColumn_IsOneIssue()
    {
        using var stream = new MemoryStream("file,mrn,type\na.pdf,X-1,referral\n"u8.ToArray());

        var result = CsvDocumentIndexConverter.Convert(stream, CsvSamples.Options());

        Assert.Empty(result.Resources);
        Assert.Equal(["NoUsableHeader@1:"], result.Issues.Select(CsvSamples.Summary));
    }

    [Theory]
    [InlineData("0001-01-01T00:00:00+01:00")]
    [InlineData("2024-03-04T24:00Z")]
    [InlineData("2024-03-04T10:00+15:00")]
    [InlineData("2024-02-30")]
    public void Convert_ImpossibleDocumentDate_IsInvalidDate(string date)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes($"file,mrn,type,date\na.pdf,X-1,referral,{date}\n"));

        var result = CsvDocumentIndexConverter.Convert(stream, CsvSamples.Options());

        Assert.Empty(result.Resources);
        Assert.Equal(["InvalidDate@2:date"], result.Issues.Select(CsvSamples.Summary));
    }

    [Fact]
    public void Convert_UtcOffsetOutOfRange_Throws()
    {
        using var stream = new MemoryStream("file,mrn,type,date\na.pdf,X-1,referral,2024-01-01\n"u8.ToArray());

        Assert.Throws<ArgumentOutOfRangeException>(() => CsvDocumentIndexConverter.Convert(stream, CsvSamples.Options() with { UtcOffset = TimeSpan.FromHours(15) }));
    }
}

using System.Text;
using Fhir.Phr.Import.Documents;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Documents;

/// <summary>Scans read by the real tesseract: the typed-and-scanned samples written by sample-data/documents/make-scans.py.</summary>
public sealed class DocumentOcrTests
{
    private static DocumentConversionResult Convert(string file, ITextRecognizer? recognizer)
    {
        _ = DocumentToFhir.TryConvert(DocumentSamples.Read(file), DocumentSamples.Options(file) with { TextRecognizer = recognizer }, out var result);
        return result;
    }

    [Theory]
    [InlineData("ocr-typed-1.png", "image/png", "7730415", "Sofia Lindqvist (born 1967-08-22)", "2026-03-06", "18842-5")]
    [InlineData("ocr-typed-2.jpg", "image/jpeg", "LAB-20417", "Daniel Moreau (born 1983-01-11)", "2026-02-27", "11502-2")]
    [InlineData("ocr-image-only.pdf", "application/pdf", "RAD-660193", "Priya Raman (born 1994-10-09)", "2026-03-04", "18748-4")]
    public void TryConvert_ScanWithTesseract_FindsPatientDateAndKind(string file, string contentType, string identifier, string display, string date, string kind)
    {
        var recognizer = Tesseract.Required();

        var result = Convert(file, recognizer);

        Assert.True(result.Succeeded, string.Join("; ", result.Issues));
        Assert.DoesNotContain(result.Issues, i => i.Severity >= DocumentIssueSeverity.Warning);
        Assert.Contains(result.Issues, i => i.Code == DocumentIssueCode.TextFromOcr && i.Severity == DocumentIssueSeverity.Information);
        Assert.DoesNotContain(result.Issues, i => i.Code == DocumentIssueCode.NoText);
        var document = Assert.IsType<DocumentReference>(Assert.Single(result.Resources));
        Assert.Equal(contentType, document.Content[0].Attachment.ContentType);
        Assert.Equal(DocumentSamples.Read(file), document.Content[0].Attachment.Data);
        Assert.Equal(identifier, document.Subject.Identifier.Value);
        Assert.Equal(display, document.Subject.Display);
        Assert.Equal(date, document.Context.Period.Start);
        Assert.Equal(kind, document.Type.Coding.Single().Code);

        // Every confidence read from OCR text is the rule's times the engine's: "MRN:", "Patient ID:" and the like are 0.9.
        var ocr = result.Findings.TextConfidence;
        Assert.InRange(ocr, 0.5m, 0.99m);
        Assert.Equal(Math.Round(0.9m * ocr, 2), Confidence(document.Subject));
        Assert.Equal(Math.Round(0.9m * ocr, 2), Confidence(document.DateElement));
        Assert.InRange(Confidence(document.Type) ?? 0m, DocumentTextAnalyzer.ScanConfidenceCap, Math.Round(DocumentTextAnalyzer.MaxConfidence * ocr, 2));
        var text = Assert.Single(document.Content, c => c.Attachment.Title == DocumentToFhir.OcrTextTitle).Attachment;
        Assert.Contains(identifier, Encoding.UTF8.GetString(text.Data), StringComparison.Ordinal);
    }

    [Fact]
    public void TryConvert_ImageOnlyPdf_ReadsEveryPageInOrder()
    {
        var recognizer = Tesseract.Required();

        var result = Convert("ocr-image-only.pdf", recognizer);

        // Page 1 is a JPEG (DCTDecode, passed on as stored), page 2 black and white CCITT G4 (decoded to PNG by PdfPig).
        var text = Encoding.UTF8.GetString(((DocumentReference)result.Resources.Single()).Content[1].Attachment.Data);
        Assert.True(text.IndexOf("RADIOLOGY REPORT", StringComparison.Ordinal) is >= 0 and var report
            && text.IndexOf("Impression: No acute abdominal disease.", StringComparison.Ordinal) > report, text);
        Assert.Contains("from 2 image(s)", result.Issues.Single(i => i.Code == DocumentIssueCode.TextFromOcr).Message, StringComparison.Ordinal);
    }

    /// <summary>Ways OCR fails, each with the words its warning must carry.</summary>
    private static readonly Dictionary<string, (Func<ITextRecognizer> Recognizer, string Message)> Failures = new(StringComparer.Ordinal)
    {
        ["missing executable"] = (() => new TesseractTextRecognizer("/nonexistent/bin/tesseract"), "/nonexistent/bin/tesseract could not be started"),
        ["timeout"] = (() => new TesseractTextRecognizer(Tesseract.Required().Executable) { Timeout = TimeSpan.FromMilliseconds(1) }, "took longer than 0.001 s and was stopped"),
        ["image too large"] = (() => new TesseractTextRecognizer(Tesseract.Required().Executable) { MaxImageBytes = 1000 }, "OCR reads at most 1000"),
        ["non-zero exit"] = (() => new TesseractTextRecognizer(Tesseract.Required().Executable) { Language = "xx" }, "tesseract exited with code 1: "),
    };

    public static TheoryData<string> FailureCases => [.. Failures.Keys];

    [Theory]
    [MemberData(nameof(FailureCases))]
    public void TryConvert_OcrFails_WarnsAndStillKeepsTheDocument(string failure)
    {
        var (recognizer, message) = Failures[failure];

        var ok = DocumentToFhir.TryConvert(DocumentSamples.Read("ocr-typed-1.png"), DocumentSamples.Options("ocr-typed-1.png") with { TextRecognizer = recognizer() }, out var result);

        Assert.True(ok, string.Join("; ", result.Issues));
        var warning = Assert.Single(result.Issues, i => i.Code == DocumentIssueCode.OcrFailed);
        Assert.Equal(DocumentIssueSeverity.Warning, warning.Severity);
        Assert.Contains(message, warning.Message, StringComparison.Ordinal);
        Assert.Contains(result.Issues, i => i.Code == DocumentIssueCode.NoText);
        var document = (DocumentReference)Assert.Single(result.Resources);
        Assert.Equal(DocumentSamples.Read("ocr-typed-1.png"), document.Content.Single().Attachment.Data);
        Assert.Null(document.Subject);
    }

    [Theory]
    [InlineData("ocr-typed-1.png", "an image is read only by OCR, which is off")]
    [InlineData("ocr-image-only.pdf", "the PDF has no text layer (a scan?) and OCR is off")]
    public void TryConvert_WithoutRecognizer_LeavesTheScanUnreadAsBefore(string file, string message)
    {
        var result = Convert(file, recognizer: null);

        Assert.StartsWith(message, result.Issues.Single(i => i.Code == DocumentIssueCode.NoText).Message, StringComparison.Ordinal);
        Assert.DoesNotContain(result.Issues, i => i.Code is DocumentIssueCode.TextFromOcr or DocumentIssueCode.OcrFailed);
        Assert.Equal(1m, result.Findings.TextConfidence);
        Assert.Null(((DocumentReference)result.Resources.Single()).Subject);
    }

    [Fact]
    public void TryConvert_PdfWithATextLayer_IsNotSentToOcr()
    {
        var recognizer = new TesseractTextRecognizer("/nonexistent/bin/tesseract");

        var result = Convert("discharge-summary.pdf", recognizer);

        Assert.DoesNotContain(result.Issues, i => i.Code is DocumentIssueCode.TextFromOcr or DocumentIssueCode.OcrFailed);
        Assert.Equal("4471203", ((DocumentReference)result.Resources.Single()).Subject.Identifier.Value);
    }

    [Fact]
    public void Recognize_BytesThatAreNoImage_AreRefusedBeforeTesseractRuns()
    {
        // Tesseract would read such stdin as a list of file names; a path that cannot start shows it was never run.
        var recognizer = new TesseractTextRecognizer("/nonexistent/bin/tesseract");

        var text = recognizer.Recognize("/etc/hostname\n"u8.ToArray(), "image/jpeg", out var failure);

        Assert.Null(text);
        Assert.Equal("the bytes are no PNG, JPEG or JPEG 2000 image (given as image/jpeg)", failure);
    }

    [Fact]
    public void ParseTsv_JoinsWordsIntoLines_TwoSpacesAtAColumnGap_AndAveragesWordConfidence()
    {
        var tsv = string.Join('\n',
            "level\tpage_num\tblock_num\tpar_num\tline_num\tword_num\tleft\ttop\twidth\theight\tconf\ttext",
            "1\t1\t0\t0\t0\t0\t0\t0\t800\t100\t-1\t",
            "4\t1\t1\t1\t1\t0\t10\t10\t600\t20\t-1\t",
            "5\t1\t1\t1\t1\t1\t10\t10\t80\t20\t96\tPatient:",
            "5\t1\t1\t1\t1\t2\t100\t10\t50\t20\t90\tAnna",
            "5\t1\t1\t1\t1\t3\t400\t10\t40\t20\t84\tDOB:",
            "5\t1\t1\t1\t2\t1\t10\t40\t40\t20\t-1\t ",
            "5\t1\t1\t2\t1\t1\t10\t70\t50\t20\t90\tMRN:",
            "");

        var text = TesseractTextRecognizer.ParseTsv(tsv);

        Assert.Equal(new RecognizedText("Patient: Anna  DOB:\nMRN:", 0.9m), text);
        Assert.Null(TesseractTextRecognizer.ParseTsv("Error opening data file\n"));
    }

    private static decimal? Confidence(Element element) => element.GetExtensionValue<FhirDecimal>(DocumentToFhir.ConfidenceExtension)?.Value;
}

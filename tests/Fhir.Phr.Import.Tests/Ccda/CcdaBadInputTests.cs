using System.Text;
using Fhir.Phr.Import.Ccda;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Ccda;

public sealed class CcdaBadInputTests
{
    [Theory]
    [InlineData("bad-doctype-xxe.xml", CcdaIssueCode.DtdNotAllowed)]
    [InlineData("bad-not-cda.xml", CcdaIssueCode.NotClinicalDocument)]
    [InlineData("bad-truncated.xml", CcdaIssueCode.NotWellFormedXml)]
    public void TryConvert_UnreadableFile_ReturnsFalseWithOneCodedErrorAndNothingElse(string file, CcdaIssueCode expected)
    {
        var ok = CcdaToFhir.TryConvert(CcdaSamples.Read(file), out var result);

        Assert.False(ok);
        Assert.Empty(result.Resources);
        var issue = Assert.Single(result.Issues);
        Assert.Equal((expected, CcdaIssueSeverity.Error), (issue.Code, issue.Severity));
    }

    [Fact]
    public void TryConvert_NoRecordTarget_KeepsTheDocumentButFailsWithEveryProblemLocated()
    {
        var ok = CcdaToFhir.TryConvert(CcdaSamples.Read("bad-no-record-target.xml"), out var result);

        Assert.False(ok);
        var document = Assert.Single(result.Resources.OfType<DocumentReference>());
        Assert.Null(document.Subject);
        Assert.Null(document.Date);
        Assert.Empty(document.RelatesTo);
        Assert.Equal([CcdaToFhir.ContentType], document.Content.Select(c => c.Attachment.ContentType));
        Assert.Equal(
            [
                (CcdaIssueCode.MissingRecordTarget, CcdaIssueSeverity.Error, 3, "ClinicalDocument"),
                (CcdaIssueCode.InvalidDateTime, CcdaIssueSeverity.Warning, 11, "ClinicalDocument/effectiveTime"),
                (CcdaIssueCode.MissingEffectiveTime, CcdaIssueSeverity.Warning, 11, "ClinicalDocument/effectiveTime"),
                (CcdaIssueCode.UnknownRelationType, CcdaIssueSeverity.Warning, 31, "ClinicalDocument/relatedDocument"),
                (CcdaIssueCode.InvalidNonXmlBody, CcdaIssueSeverity.Warning, 34, "ClinicalDocument/component/nonXMLBody/text"),
            ],
            result.Issues.Select(i => (i.Code, i.Severity, i.Line, i.Path)));
    }

    [Fact]
    public void TryConvert_ExternalEntity_IsNeverResolved()
    {
        var secret = Path.Combine(Path.GetTempPath(), $"ccda-xxe-{Guid.NewGuid():N}.txt");
        File.WriteAllText(secret, "TOP-SECRET");
        try
        {
            var xml = $"<?xml version=\"1.0\"?><!DOCTYPE x [<!ENTITY s SYSTEM \"{new Uri(secret).AbsoluteUri}\">]><ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&s;</title></ClinicalDocument>";

            var ok = CcdaToFhir.TryConvert(Encoding.UTF8.GetBytes(xml), out var result);

            Assert.False(ok);
            Assert.Equal(CcdaIssueCode.DtdNotAllowed, Assert.Single(result.Issues).Code);
            Assert.DoesNotContain(result.Issues, i => i.Message.Contains("TOP-SECRET", StringComparison.Ordinal));
        }
        finally
        {
            File.Delete(secret);
        }
    }

    [Fact]
    public void TryConvert_EntityExpansionBomb_IsRefusedAtTheDoctype()
    {
        var lol = "<?xml version=\"1.0\"?><!DOCTYPE l [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">]><ClinicalDocument xmlns=\"urn:hl7-org:v3\"><title>&c;</title></ClinicalDocument>";

        Assert.False(CcdaToFhir.TryConvert(Encoding.UTF8.GetBytes(lol), out var result));
        Assert.Equal(CcdaIssueCode.DtdNotAllowed, Assert.Single(result.Issues).Code);
    }

    [Fact]
    public void TryConvert_LargerThanTheBound_IsRefusedUnread()
    {
        var ok = CcdaToFhir.TryConvert(CcdaSamples.Read("ccd.xml"), maxBytes: 1024, out var result);

        Assert.False(ok);
        Assert.Equal(CcdaIssueCode.InputTooLarge, Assert.Single(result.Issues).Code);
    }

    [Fact]
    public void TryConvert_Empty_IsAnError()
    {
        Assert.False(CcdaToFhir.TryConvert([], out var result));
        Assert.Equal(CcdaIssueCode.EmptyInput, Assert.Single(result.Issues).Code);
    }

    [Fact]
    public void TryConvert_CompressionBomb_StopsAtTheBound()
    {
        var zeros = new MemoryStream();
        using (var deflate = new System.IO.Compression.DeflateStream(zeros, System.IO.Compression.CompressionLevel.SmallestSize, leaveOpen: true))
        {
            deflate.Write(new byte[4 * 1024 * 1024]);
        }

        var xml = Encoding.UTF8.GetString(CcdaSamples.Read("unstructured-text-deflate.xml"));
        var start = xml.IndexOf("compression=\"DF\">", StringComparison.Ordinal) + "compression=\"DF\">".Length;
        var bomb = xml[..start] + Convert.ToBase64String(zeros.ToArray()) + xml[xml.IndexOf("</text>", start, StringComparison.Ordinal)..];

        var ok = CcdaToFhir.TryConvert(Encoding.UTF8.GetBytes(bomb), maxBytes: 1024 * 1024, out var result);

        Assert.True(ok);
        Assert.Equal(CcdaIssueCode.InvalidNonXmlBody, Assert.Single(result.Issues).Code);
        Assert.Single(result.Resources.OfType<DocumentReference>().Single().Content);
    }

    [Theory]
    [InlineData("ccd.xml", true)]
    [InlineData("unstructured-pdf.xml", true)]
    [InlineData("bad-not-cda.xml", false)]
    [InlineData("bad-doctype-xxe.xml", false)]
    public void IsClinicalDocument_ReadsOnlyTheRootElement(string file, bool expected)
    {
        Assert.Equal(expected, CcdaToFhir.IsClinicalDocument(CcdaSamples.Read(file)));
    }

    [Fact]
    public void IsClinicalDocument_OnBytesThatAreNotXml_IsFalse()
    {
        Assert.False(CcdaToFhir.IsClinicalDocument("%PDF-1.7 not xml"u8.ToArray()));
        Assert.False(CcdaToFhir.IsClinicalDocument([]));
    }
}

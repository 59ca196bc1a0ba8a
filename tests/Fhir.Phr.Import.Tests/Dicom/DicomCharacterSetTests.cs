using System.Text;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomCharacterSetTests
{
    /// <summary>
    /// Patient names of pydicom's charset_files as pydicom 2.3.1 decodes them. chrX1/chrX2 end in an
    /// empty third group: the bytes hold the trailing '=', which pydicom's str() drops and we keep.
    /// </summary>
    public static TheoryData<string, string> PatientNames => new()
    {
        { "chrArab.dcm", "قباني^لنزار" },
        { "chrFren.dcm", "Buc^Jérôme" },
        { "chrFrenMulti.dcm", "Buc^Jérôme" },
        { "chrGerm.dcm", "Äneas^Rüdiger" },
        { "chrGreek.dcm", "Διονυσιος" },
        { "chrH31.dcm", "Yamada^Tarou=山田^太郎=やまだ^たろう" },
        { "chrH32.dcm", "ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう" },
        { "chrHbrw.dcm", "שרון^דבורה" },
        { "chrI2.dcm", "Hong^Gildong=洪^吉洞=홍^길동" },
        { "chrJapMulti.dcm", "やまだ^たろう" },
        { "chrJapMultiExplicitIR6.dcm", "やまだ^たろう" },
        { "chrKoreanMulti.dcm", "김희중" },
        { "chrRuss.dcm", "Люкceмбypг" },
        { "chrX1.dcm", "Wang^XiaoDong=王^小東=" },
        { "chrX2.dcm", "Wang^XiaoDong=王^小东=" },
    };

    public static TheoryData<string> DcmtkConvertible => new(
        "chrArab.dcm", "chrFren.dcm", "chrFrenMulti.dcm", "chrGerm.dcm", "chrGreek.dcm", "chrHbrw.dcm",
        "chrI2.dcm", "chrKoreanMulti.dcm", "chrRuss.dcm", "chrX1.dcm", "chrX2.dcm");

    [Theory]
    [MemberData(nameof(PatientNames))]
    public void GetString_PatientNameInCharsetFile_EqualsPydicom(string file, string expected)
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.CharsetFiles, file)).Dataset;

        var name = dataset.GetString(DicomTag.PatientName);

        Assert.Equal(expected, name);
    }

    /// <summary>
    /// dcmdump +U8 converts through iconv, which (Debian's glibc) handles everything but the ISO 2022
    /// Japanese sets; for those files the pydicom table above is the reference.
    /// </summary>
    [Theory]
    [MemberData(nameof(DcmtkConvertible))]
    public void GetString_EveryTextElement_EqualsDcmdumpUtf8(string file)
    {
        var path = Path.Combine(DicomCorpus.CharsetFiles, file);
        var dump = DicomCorpus.Run("dcmdump", "-q", "-Un", "+L", "+U8", path);
        Assert.Equal(0, dump.ExitCode);
        var dataset = DicomFile.Open(path).Dataset;

        var compared = 0;
        foreach (var line in DcmdumpOutput.Parse(dump.Stdout).Where(l => l.IsString && l.Tag.Group != 0x0002 && l.VR is "PN" or "LO" or "SH" or "ST" or "LT" or "UT" or "UC"))
        {
            var theirs = Encoding.UTF8.GetString(Encoding.Latin1.GetBytes(line.Text!)).TrimEnd(' ');
            Assert.Equal(theirs, dataset.GetString(line.Tag));
            compared++;
        }

        Assert.True(compared > 0);
    }

    [Fact]
    public void GetString_SequenceItemWithOwnCharacterSet_UsesItsOwn()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.CharsetFiles, "chrSQEncoding.dcm")).Dataset;

        var item = dataset.GetSequence(new DicomTag(0x0032, 0x1064))!.Items[0];

        Assert.Equal("Doctor^Who^^MD", dataset.GetString(new DicomTag(0x0032, 0x1032)));
        Assert.Equal("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", item.GetString(DicomTag.PatientName));
    }

    [Fact]
    public void GetString_SequenceItemWithoutCharacterSet_InheritsEnclosingDataset()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.CharsetFiles, "chrSQEncoding1.dcm")).Dataset;

        var item = dataset.GetSequence(new DicomTag(0x0032, 0x1064))!.Items[0];

        Assert.False(item.Contains(DicomTag.SpecificCharacterSet));
        Assert.Equal("ﾔﾏﾀﾞ^ﾀﾛｳ=山田^太郎=やまだ^たろう", item.GetString(DicomTag.PatientName));
    }

    [Fact]
    public void GetPersonName_ThreeGroups_SplitsGroupsAndComponents()
    {
        var dataset = DicomFile.Open(Path.Combine(DicomCorpus.CharsetFiles, "chrH31.dcm")).Dataset;

        var name = dataset.GetPersonName(DicomTag.PatientName)!;

        Assert.Equal(("Yamada", "Tarou"), (name.Alphabetic.FamilyName, name.Alphabetic.GivenName));
        Assert.Equal(("山田", "太郎"), (name.Ideographic.FamilyName, name.Ideographic.GivenName));
        Assert.Equal(("やまだ", "たろう"), (name.Phonetic.FamilyName, name.Phonetic.GivenName));
    }

    /// <summary>One character beyond ASCII per character set, from the ISO/IEC 8859 and JIS/GB/KS code tables.</summary>
    [Theory]
    [InlineData("ISO_IR 100", new byte[] { 0xE9 }, "é")]
    [InlineData("ISO_IR 101", new byte[] { 0xB1 }, "ą")]
    [InlineData("ISO_IR 109", new byte[] { 0xA1 }, "Ħ")]
    [InlineData("ISO_IR 110", new byte[] { 0xA1 }, "Ą")]
    [InlineData("ISO_IR 144", new byte[] { 0xB0 }, "А")]
    [InlineData("ISO_IR 127", new byte[] { 0xC7 }, "ا")]
    [InlineData("ISO_IR 126", new byte[] { 0xC1 }, "Α")]
    [InlineData("ISO_IR 138", new byte[] { 0xE0 }, "א")]
    [InlineData("ISO_IR 148", new byte[] { 0xDD }, "İ")]
    [InlineData("ISO_IR 166", new byte[] { 0xA1 }, "ก")]
    [InlineData("ISO_IR 13", new byte[] { 0xB1 }, "ｱ")]
    [InlineData("ISO_IR 192", new byte[] { 0xE2, 0x82, 0xAC }, "€")]
    [InlineData("GB18030", new byte[] { 0x81, 0x30, 0x81, 0x30 }, "\u0080")]
    [InlineData("GBK", new byte[] { 0xB0, 0xA1 }, "啊")]
    [InlineData("\\ISO 2022 IR 58", new byte[] { 0x1B, 0x24, 0x29, 0x41, 0xB0, 0xA1 }, "啊")]
    [InlineData("\\ISO 2022 IR 149", new byte[] { 0x1B, 0x24, 0x29, 0x43, 0xB0, 0xA1 }, "가")]
    [InlineData("ISO 2022 IR 6\\ISO 2022 IR 100", new byte[] { 0x1B, 0x2D, 0x41, 0xE9 }, "é")]
    [InlineData("ISO 2022 IR 100\\ISO 2022 IR 144", new byte[] { 0xE9, 0x1B, 0x2D, 0x4C, 0xB0 }, "éА")]
    public void GetString_SpecificCharacterSet_DecodesValue(string characterSet, byte[] value, string expected)
    {
        var bytes = new DicomBytes()
            .Explicit(0x0008, 0x0005, "CS", DicomBytes.Text(characterSet))
            .Explicit(0x0010, 0x0010, "PN", value.Length % 2 == 1 ? [.. value, 0x20] : value)
            .ToArray();

        var name = DicomFile.Open(new MemoryStream(bytes)).Dataset.GetString(DicomTag.PatientName);

        Assert.Equal(System.Text.RegularExpressions.Regex.Unescape(expected), name);
    }

    [Theory]
    [InlineData("ISO_IR 192", true)]
    [InlineData("\\ISO 2022 IR 87", true)]
    [InlineData("ISO_IR 999", false)]
    [InlineData("\\ISO 2022 IR 159", false)]
    public void IsCharacterSetSupported_ReportsUndecodableSets(string characterSet, bool supported)
    {
        var bytes = new DicomBytes().Explicit(0x0008, 0x0005, "CS", DicomBytes.Text(characterSet)).ToArray();

        var dataset = DicomFile.Open(new MemoryStream(bytes)).Dataset;

        Assert.Equal(supported, dataset.IsCharacterSetSupported);
    }

    [Fact]
    public void PersonName_AllFiveComponents_ParsedInOrder()
    {
        var name = DicomPersonName.Parse("Adams^John Robert Quincy^Q^Rev.^B.A. M.Div.");

        Assert.Equal("Adams", name.Alphabetic.FamilyName);
        Assert.Equal("John Robert Quincy", name.Alphabetic.GivenName);
        Assert.Equal("Q", name.Alphabetic.MiddleName);
        Assert.Equal("Rev.", name.Alphabetic.Prefix);
        Assert.Equal("B.A. M.Div.", name.Alphabetic.Suffix);
        Assert.True(name.Ideographic.IsEmpty);
        Assert.Equal("Rev. John Robert Quincy Q Adams B.A. M.Div.", name.Alphabetic.ToDisplayString());
    }
}

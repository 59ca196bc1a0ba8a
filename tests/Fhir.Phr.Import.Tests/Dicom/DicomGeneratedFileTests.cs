using System.Runtime.CompilerServices;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

/// <summary>
/// Dumps/all-vrs.dump made into a file by dump2dcm and re-encoded by dcmconv, dcmcrle and dcmcjpeg
/// into every transfer syntax dcmtk writes, with and without undefined lengths, with and without
/// File Meta Information. Each variant must read like dcmdump reads it and give the same values.
/// Dumps/multiframe-8bit.dump is compressed by dcmtk's RLE, JPEG and JPEG-LS encoders.
/// </summary>
public sealed class DicomGeneratedFileTests(DicomGeneratedFileTests.GeneratedFiles generated) : IClassFixture<DicomGeneratedFileTests.GeneratedFiles>
{
    public static TheoryData<string> Variants => new(GeneratedFiles.Recipes.Keys);

    public static TheoryData<string> MultiFrameVariants => new(GeneratedFiles.MultiFrameRecipes.Keys);

    [Theory]
    [MemberData(nameof(MultiFrameVariants))]
    public void Read_CompressedMultiFrame_OneFragmentPerFrameAndOffsetTable(string variant)
    {
        var path = generated.PathOf(variant);
        var dump = DicomCorpus.Run("dcmdump", "-q", "-Un", "+L", path);
        Assert.Equal(0, dump.ExitCode);

        var file = DicomFile.Open(path);

        Assert.Equal(GeneratedFiles.MultiFrameRecipes[variant].Syntax, file.TransferSyntax.Uid);
        Assert.True(file.TransferSyntax.IsEncapsulated);
        var problems = DcmdumpComparer.Compare(file, DcmdumpOutput.Parse(dump.Stdout));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
        var pixels = Assert.IsType<DicomFragmentSequence>(file.Dataset[DicomTag.PixelData]);
        Assert.Equal(3, pixels.Fragments.Count);

        // PS3.5 §A.4: each offset counts from the first byte of the first fragment's item tag.
        uint expected = 0;
        var offsets = new List<uint>();
        foreach (var fragment in pixels.Fragments)
        {
            offsets.Add(expected);
            expected += 8 + (uint)fragment.Length;
        }

        Assert.Equal(offsets, pixels.BasicOffsetTable);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Read_GeneratedVariant_AllValuesEqualDcmdump(string variant)
    {
        var path = generated.PathOf(variant);
        var dump = DicomCorpus.Run("dcmdump", "-q", "-Un", "+L", path);
        Assert.Equal(0, dump.ExitCode);

        var file = DicomFile.Open(path);

        var problems = DcmdumpComparer.Compare(file, DcmdumpOutput.Parse(dump.Stdout));
        Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Read_GeneratedVariant_ValuesEqualTheExplicitLittleEndianOriginal(string variant)
    {
        var original = DicomFile.Open(generated.PathOf("explicit-le")).Dataset;

        var file = DicomFile.Open(generated.PathOf(variant));

        Assert.Equal(GeneratedFiles.Recipes[variant].Syntax, file.TransferSyntax.Uid);
        var dataset = file.Dataset;
        foreach (var item in original.Where(i => !i.Tag.IsPrivate && i.Tag != DicomTag.PixelData))
        {
            switch (item)
            {
                case DicomElement:
                    Assert.Equal(original.GetStrings(item.Tag), dataset.GetStrings(item.Tag));
                    break;
                case DicomSequence sequence:
                    Assert.Equal(sequence.Items.Count, dataset.GetSequence(item.Tag)!.Items.Count);
                    break;
            }
        }

        var nested = dataset.GetSequence(new DicomTag(0x0008, 0x1115))!.Items[0].GetSequence(new DicomTag(0x0008, 0x1199))!.Items[0];
        Assert.Equal("1.2.826.0.1.3680043.10.1234.1.1.9", nested.GetString(new DicomTag(0x0008, 0x1155)));
        Assert.Equal("Müller^Jürgen=ミュラー^ユルゲン", dataset.GetString(DicomTag.PatientName));
        var pixels = dataset[DicomTag.PixelData];
        if (file.TransferSyntax.IsEncapsulated)
        {
            Assert.NotEmpty(Assert.IsType<DicomFragmentSequence>(pixels).Fragments);
        }
        else
        {
            Assert.Equal(original.GetStrings(DicomTag.PixelData), dataset.GetStrings(DicomTag.PixelData));
        }
    }

    [Fact]
    public void GetTypedValues_GeneratedFile_ReturnsEveryVR()
    {
        var dataset = DicomFile.Open(generated.PathOf("explicit-be")).Dataset;

        Assert.Equal(4, dataset.GetInt(new DicomTag(0x0028, 0x0010)));
        Assert.Equal(-42, dataset.GetInt(new DicomTag(0x0018, 0x6020)));
        Assert.Equal(-7, dataset.GetInt(new DicomTag(0x0018, 0x9219)));
        Assert.Equal(3, dataset.GetInt(DicomTag.SeriesNumber));
        Assert.Equal(new DateOnly(2024, 1, 31), dataset.GetDate(DicomTag.StudyDate));
        Assert.Equal(new DateTimeOffset(2024, 1, 31, 10, 15, 30, TimeSpan.FromHours(1)).AddTicks(1_234_560), dataset.GetDateTime(new DicomTag(0x0008, 0x002A)));
        Assert.True(dataset.TryGetDateTime(DicomTag.StudyDate, DicomTag.StudyTime, out var studyDateTime));
        Assert.Equal(new DateTime(2024, 1, 31, 10, 15, 30, 250), studyDateTime);
        Assert.True(dataset.TryGetDouble(new DicomTag(0x0010, 0x9431), out var thickness));
        Assert.Equal(12.5, thickness);
        Assert.Equal(["1.5", "2.25"], dataset.GetStrings(new DicomTag(0x0008, 0x1163)));
        Assert.Equal(["-5", "6"], dataset.GetStrings(new DicomTag(0x0072, 0x0082)));
        Assert.Equal(["18446744073709551615", "7"], dataset.GetStrings(new DicomTag(0x0072, 0x0083)));
        Assert.Equal(["(0018,1063)"], dataset.GetStrings(new DicomTag(0x0028, 0x0009)));
        Assert.Equal(["ORIGINAL", "PRIMARY", "AXIAL"], dataset.GetStrings(DicomTag.ImageType));
        Assert.Equal(["Main Street 1\\Floor 2"], dataset.GetStrings(new DicomTag(0x0008, 0x0081)));
        Assert.Equal("Long text, \"quoted\", with é and ü", dataset.GetString(new DicomTag(0x0008, 0x0108)));
        Assert.Equal("private text", dataset.GetString(new DicomTag(0x0009, 0x1001)));
        Assert.False(dataset.TryGetString(DicomDictionary.TryGetTag("PatientWeight", out var weight) ? weight : default, out _));
        Assert.Throws<KeyNotFoundException>(() => dataset.GetString(weight));
    }

    public sealed class GeneratedFiles : IDisposable
    {
        internal static readonly Dictionary<string, (string Syntax, Func<string, string, string[]>? Command)> Recipes = new(StringComparer.Ordinal)
        {
            ["explicit-le"] = ("1.2.840.10008.1.2.1", null),
            ["explicit-le-undefined"] = ("1.2.840.10008.1.2.1", (i, o) => ["dcmconv", "-e", i, o]),
            ["implicit-le"] = ("1.2.840.10008.1.2", (i, o) => ["dcmconv", "+ti", i, o]),
            ["implicit-le-undefined"] = ("1.2.840.10008.1.2", (i, o) => ["dcmconv", "+ti", "-e", i, o]),
            ["explicit-be"] = ("1.2.840.10008.1.2.2", (i, o) => ["dcmconv", "+tb", i, o]),
            ["explicit-be-undefined"] = ("1.2.840.10008.1.2.2", (i, o) => ["dcmconv", "+tb", "-e", i, o]),
            ["deflated"] = ("1.2.840.10008.1.2.1.99", (i, o) => ["dcmconv", "+td", i, o]),
            ["deflated-undefined"] = ("1.2.840.10008.1.2.1.99", (i, o) => ["dcmconv", "+td", "-e", i, o]),
            ["rle"] = ("1.2.840.10008.1.2.5", (i, o) => ["dcmcrle", i, o]),
            ["jpeg-lossless-sv1"] = ("1.2.840.10008.1.2.4.70", (i, o) => ["dcmcjpeg", i, o]),
            ["bare-implicit-le"] = ("1.2.840.10008.1.2", (i, o) => ["dcmconv", "-F", "+ti", i, o]),
            ["bare-explicit-le"] = ("1.2.840.10008.1.2.1", (i, o) => ["dcmconv", "-F", "+te", i, o]),
            ["bare-explicit-be"] = ("1.2.840.10008.1.2.2", (i, o) => ["dcmconv", "-F", "+tb", "-e", i, o]),
        };

        internal static readonly Dictionary<string, (string Syntax, Func<string, string, string[]> Command)> MultiFrameRecipes = new(StringComparer.Ordinal)
        {
            ["mf-rle"] = ("1.2.840.10008.1.2.5", (i, o) => ["dcmcrle", i, o]),
            ["mf-jpeg-baseline"] = ("1.2.840.10008.1.2.4.50", (i, o) => ["dcmcjpeg", "+eb", i, o]),
            ["mf-jpeg-extended"] = ("1.2.840.10008.1.2.4.51", (i, o) => ["dcmcjpeg", "+ee", i, o]),
            ["mf-jpeg-lossless"] = ("1.2.840.10008.1.2.4.57", (i, o) => ["dcmcjpeg", "+el", i, o]),
            ["mf-jpeg-ls"] = ("1.2.840.10008.1.2.4.80", (i, o) => ["dcmcjpls", i, o]),
        };

        private readonly string _directory = Path.Combine(Path.GetTempPath(), "fhir-phr-dicom-" + Guid.NewGuid().ToString("N"));

        public GeneratedFiles()
        {
            Directory.CreateDirectory(_directory);
            var dump = Path.Combine(SourceDirectory(), "Dumps", "all-vrs.dump");
            DicomCorpus.RunChecked("dump2dcm", "-q", dump, PathOf("explicit-le"));
            foreach (var (name, (_, command)) in Recipes)
            {
                if (command is not null)
                {
                    Run(command(PathOf("explicit-le"), PathOf(name)));
                }
            }

            DicomCorpus.RunChecked("dump2dcm", "-q", Path.Combine(SourceDirectory(), "Dumps", "multiframe-8bit.dump"), PathOf("mf-explicit-le"));
            foreach (var (name, (_, command)) in MultiFrameRecipes)
            {
                Run(command(PathOf("mf-explicit-le"), PathOf(name)));
            }
        }

        /// <summary>The dumps are read from the source tree, next to this file, so the test project needs no content items.</summary>
        private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;

        private static void Run(string[] arguments) => DicomCorpus.RunChecked(arguments[0], ["-q", .. arguments[1..]]);

        internal string PathOf(string variant) => Path.Combine(_directory, variant + ".dcm");

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}

using System.Runtime.CompilerServices;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomDictionaryTests
{
    /// <summary>The committed dictionary is exactly what the generator makes from Debian's pydicom data dictionary.</summary>
    [Fact]
    public void GeneratedDictionary_IsUpToDateWithGenerator()
    {
        var dictionary = Path.GetFullPath(Path.Combine(SourceDirectory(), "..", "..", "..", "src", "Fhir.Phr.Import", "Dicom", "Dictionary"));
        var output = Path.Combine(Path.GetTempPath(), "fhir-phr-dictionary-" + Guid.NewGuid().ToString("N") + ".cs");
        try
        {
            DicomCorpus.RunChecked(
                "python3",
                Path.Combine(dictionary, "generate_dictionary.py"),
                Path.Combine(Path.GetDirectoryName(DicomCorpus.DataRoot)!, "_dicom_dict.py"),
                output);

            Assert.Equal(File.ReadAllText(Path.Combine(dictionary, "DicomDictionaryData.g.cs")), File.ReadAllText(output));
        }
        finally
        {
            File.Delete(output);
        }
    }

    private static string SourceDirectory([CallerFilePath] string path = "") => Path.GetDirectoryName(path)!;
}

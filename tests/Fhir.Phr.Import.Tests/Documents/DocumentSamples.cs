using Fhir.Phr.Import.Documents;

namespace Fhir.Phr.Import.Tests.Documents;

/// <summary>The committed synthetic documents in sample-data/documents, copied next to the test assembly.</summary>
internal static class DocumentSamples
{
    internal static string Directory => Path.Combine(AppContext.BaseDirectory, "sample-data", "documents");

    /// <summary>Every sample file (not the generator scripts or README).</summary>
    internal static IEnumerable<string> AllFiles() =>
        System.IO.Directory.EnumerateFiles(Directory)
            .Select(f => Path.GetFileName(f))
            .Where(f => Path.GetExtension(f) is not (".cs" or ".py" or ".md"))
            .Order(StringComparer.Ordinal);

    internal static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    internal static DocumentImportOptions Options(string file) => new() { Source = "northwind", FileName = file };

    internal static DocumentConversionResult Convert(string file)
    {
        _ = DocumentToFhir.TryConvert(Read(file), Options(file), out var result);
        return result;
    }
}

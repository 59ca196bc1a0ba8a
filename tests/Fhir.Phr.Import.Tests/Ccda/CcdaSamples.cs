using Fhir.Phr.Import.Ccda;

namespace Fhir.Phr.Import.Tests.Ccda;

/// <summary>The committed synthetic documents in sample-data/ccda, copied next to the test assembly.</summary>
internal static class CcdaSamples
{
    internal static string Directory => Path.Combine(AppContext.BaseDirectory, "sample-data", "ccda");

    internal static IEnumerable<string> AllFiles() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.xml").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    /// <summary>Documents that convert (the ones whose name does not start with "bad-").</summary>
    internal static IEnumerable<string> GoodFiles() => AllFiles().Where(f => !f.StartsWith("bad-", StringComparison.Ordinal));

    internal static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    internal static CcdaConversionResult Convert(string file)
    {
        _ = CcdaToFhir.TryConvert(Read(file), out var result);
        return result;
    }
}

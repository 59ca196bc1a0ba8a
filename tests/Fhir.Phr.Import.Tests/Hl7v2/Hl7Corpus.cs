using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Hl7v2;

/// <summary>The committed synthetic messages in sample-data/hl7v2, copied next to the test assembly.</summary>
internal static class Hl7Corpus
{
    internal static string Directory => Path.Combine(AppContext.BaseDirectory, "sample-data", "hl7v2");

    /// <summary>Every .hl7 file name, bad ones included.</summary>
    internal static IEnumerable<string> AllFiles() =>
        System.IO.Directory.EnumerateFiles(Directory, "*.hl7").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal);

    /// <summary>Files that are well-formed HL7 v2 (the ones whose name does not start with "bad-").</summary>
    internal static IEnumerable<string> WellFormedFiles() => AllFiles().Where(f => !f.StartsWith("bad-", StringComparison.Ordinal));

    internal static byte[] Read(string file) => File.ReadAllBytes(Path.Combine(Directory, file));

    internal static IReadOnlyList<Hl7Message> Parse(string file)
    {
        var ok = Hl7Parser.TryParse(Read(file), out var messages, out var issues);
        Assert.True(ok, $"{file}: {string.Join("; ", issues)}");
        return messages;
    }

    internal static Hl7Message Single(string file) => Assert.Single(Parse(file));

    internal static ConversionResult Convert(string file) => Hl7v2ToFhir.Convert(Single(file));

    internal static Patient SinglePatient(string file) => Assert.Single(Convert(file).Resources.OfType<Patient>());
}

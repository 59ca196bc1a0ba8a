using System.Security.Cryptography;
using System.Text;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Csv;

/// <summary>Marks every resource with where it came from, and gives it an id that the same input always gets.</summary>
internal static class CsvProvenance
{
    internal const string ConverterTagSystem = "http://fhir-phr.dev/fhir/CodeSystem/converter";
    internal const string ConverterTagCode = "csv";

    internal static string Escape(string source) => Uri.EscapeDataString(source.Trim());

    /// <summary>
    /// Sets meta.source, the converter tag and a deterministic id: the first 32 hex digits of SHA-256 over the resource type,
    /// the source and the key (identifier system|value for patients, file name for documents), so importing the same file twice
    /// yields the same ids and the store can update instead of duplicating.
    /// </summary>
    internal static void Stamp(Resource resource, string source, string key)
    {
        var hash = SHA256.HashData(Encoding.UTF8.GetBytes($"{resource.TypeName}\n{source}\n{key}"));
        resource.Id = Convert.ToHexStringLower(hash)[..32];
        resource.Meta = new Meta { Source = "urn:fhir-phr:csv:" + Escape(source) };
        resource.Meta.Tag.Add(new Coding(ConverterTagSystem, ConverterTagCode));
    }
}

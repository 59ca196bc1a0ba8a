using System.Text.Json.Nodes;
using System.Xml.Linq;

namespace Fhir.Phr.Core.Tests.Patching;

/// <summary>
/// HL7's PATCH conformance cases (FHIR/fhir-test-cases r4/patch, Apache-2.0, see
/// testdata/patch/LICENSE.txt), copied next to the tests so that they run without ../shared.
/// </summary>
internal static class PatchTestData
{
    private static readonly string Folder = Path.Combine(AppContext.BaseDirectory, "testdata", "patch");

    public static readonly Lazy<IReadOnlyDictionary<string, FhirPatchCase>> FhirPatchCases = new(LoadFhirPatchCases);

    public static readonly Lazy<IReadOnlyDictionary<string, JsonPatchCase>> JsonPatchCases = new(LoadJsonPatchCases);

    private static Dictionary<string, FhirPatchCase> LoadFhirPatchCases()
    {
        // Whitespace is content inside xhtml (Narrative.div), so it must survive loading.
        var doc = XDocument.Load(Path.Combine(Folder, "fhir-patch-tests.xml"), LoadOptions.PreserveWhitespace);
        var cases = new Dictionary<string, FhirPatchCase>(StringComparer.Ordinal);
        foreach (var element in doc.Root!.Elements("case"))
        {
            var name = (string)element.Attribute("name")!;
            cases.Add(name, new FhirPatchCase(
                name,
                (string?)element.Attribute("mode") ?? "both",
                FirstChild(element, "input")!,
                FirstChild(element, "diff")!,
                FirstChild(element, "output"),
                (string?)element.Element("error")?.Attribute("msg")));
        }

        return cases;
    }

    private static Dictionary<string, JsonPatchCase> LoadJsonPatchCases()
    {
        var array = JsonNode.Parse(File.ReadAllText(Path.Combine(Folder, "json-patch-tests.json")))!.AsArray();
        var cases = new Dictionary<string, JsonPatchCase>(StringComparer.Ordinal);
        for (var i = 0; i < array.Count; i++)
        {
            var entry = array[i]!.AsObject();
            var name = $"{i:D2} {(string?)entry["comment"] ?? "(no comment)"}";
            cases.Add(name, new JsonPatchCase(
                name,
                entry["doc"],
                entry["patch"]!,
                entry.ContainsKey("expected"),
                entry["expected"],
                (string?)entry["error"],
                entry["disabled"]?.GetValue<bool>() ?? false));
        }

        return cases;
    }

    private static string? FirstChild(XElement testCase, string wrapper) =>
        testCase.Element(wrapper)?.Elements().FirstOrDefault()?.ToString(SaveOptions.DisableFormatting);
}

internal sealed record FhirPatchCase(string Name, string Mode, string InputXml, string DiffXml, string? OutputXml, string? Error);

internal sealed record JsonPatchCase(string Name, JsonNode? Doc, JsonNode Patch, bool HasExpected, JsonNode? Expected, string? Error, bool Disabled);

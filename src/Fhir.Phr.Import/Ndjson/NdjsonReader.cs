using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Ndjson;

public enum NdjsonIssueCode
{
    EmptyInput = 1,
    InvalidJson,
    InvalidResource,
}

/// <summary>A line that did not give a resource; <paramref name="Line"/> is 1-based, as an editor shows it (0: the whole input).</summary>
public sealed record NdjsonIssue(NdjsonIssueCode Code, int Line, string Message)
{
    public override string ToString() => $"Error {Code} (line {Line}): {Message}";
}

/// <summary>One resource and the line it was read from.</summary>
public sealed record NdjsonEntry(int Line, Resource Resource);

/// <summary>
/// FHIR newline-delimited JSON (Bulk Data IG, application/fhir+ndjson): one resource per line, read with the SDK's strict
/// deserialiser. A bad line is reported with its number and the others are still read; blank lines are skipped.
/// </summary>
public static class NdjsonReader
{
    // R4 resources nest far less deep; the bound keeps hostile input from exhausting the stack.
    private const int MaxDepth = 128;

    private static readonly BaseFhirJsonDeserializer Deserializer = new(ModelInfo.ModelInspector, new DeserializerSettings());

    /// <returns>True when at least one resource was read and no line was rejected.</returns>
    public static bool TryRead(ReadOnlySpan<byte> input, out IReadOnlyList<NdjsonEntry> entries, out IReadOnlyList<NdjsonIssue> issues)
    {
        var read = new List<NdjsonEntry>();
        var found = new List<NdjsonIssue>();
        entries = read;
        issues = found;
        if (input.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            input = input[3..];
        }

        for (var number = 1; !input.IsEmpty; number++)
        {
            var end = input.IndexOf((byte)'\n');
            var line = end < 0 ? input : input[..end];
            input = end < 0 ? [] : input[(end + 1)..];
            if (!line.Trim(" \t\r"u8).IsEmpty && ReadLine(line, number, found) is { } resource)
            {
                read.Add(new NdjsonEntry(number, resource));
            }
        }

        if (read.Count == 0 && found.Count == 0)
        {
            found.Add(new NdjsonIssue(NdjsonIssueCode.EmptyInput, 0, "the input has no resource lines"));
        }

        return read.Count > 0 && found.Count == 0;
    }

    private static Resource? ReadLine(ReadOnlySpan<byte> line, int number, List<NdjsonIssue> issues)
    {
        if (line.TrimStart(" \t"u8) is not [(byte)'{', ..])
        {
            issues.Add(new NdjsonIssue(NdjsonIssueCode.InvalidJson, number, "the line is not a JSON object; ndjson has one resource object per line"));
            return null;
        }

        var reader = new Utf8JsonReader(line, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            // The deserialiser also rejects anything after the object, so a line holds exactly one resource.
            if (Deserializer.TryDeserializeResource(ref reader, out var resource, out var problems) && resource is not null)
            {
                return resource;
            }

            var messages = problems.Select(p => p.Message).Take(5).ToList();
            issues.Add(new NdjsonIssue(NdjsonIssueCode.InvalidResource, number,
                messages.Count == 0 ? "the line is not a FHIR resource" : string.Join("; ", messages)));
            return null;
        }
        catch (Exception e) when (e is JsonException or InvalidOperationException)
        {
            // The SDK throws InvalidOperationException for JSON whose shape it cannot follow.
            issues.Add(new NdjsonIssue(NdjsonIssueCode.InvalidJson, number, $"not valid JSON: {e.Message}"));
            return null;
        }
    }
}

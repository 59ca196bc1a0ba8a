using System.Buffers;
using System.Text.Json;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Serialization;
using Hl7.Fhir.Model;
using Hl7.Fhir.Utility;

namespace Fhir.Phr.Server.Fhir;

/// <summary>
/// Bundle entries that carry a stored resource (search, history, $everything, $match). The entry
/// holds the stored JSON, not a parsed resource: a plain JSON response splices that JSON into
/// the bundle as it is, as a read sends it, instead of parsing every resource and serialising it
/// again (a fifth of a search's CPU). Anything else (XML, _pretty, _summary, _elements) gets the
/// parsed resources first.
/// </summary>
internal static class StoredEntries
{
    private sealed record StoredJson(byte[] Json);

    public static Bundle.EntryComponent Entry(string fullUrl, StoredResource stored, Bundle.SearchEntryMode? mode)
    {
        var entry = new Bundle.EntryComponent
        {
            FullUrl = fullUrl,
            Search = mode is null ? null : new Bundle.SearchComponent { Mode = mode },
        };
        if (!stored.IsDeleted)
            entry.AddAnnotation(new StoredJson(stored.Json));
        return entry;
    }

    /// <summary>Parses the stored JSON of every entry that still holds it into the entry's resource.</summary>
    public static Bundle Materialize(Bundle bundle)
    {
        foreach (var entry in bundle.Entry)
        {
            if (entry.Annotation<StoredJson>() is { } stored)
            {
                entry.Resource = FhirFormats.ParseJson(stored.Json);
                entry.RemoveAnnotations<StoredJson>();
            }
        }
        return bundle;
    }

    /// <summary>The bundle as compact JSON, each stored resource written as stored.</summary>
    public static byte[] SerializeJson(Bundle bundle)
    {
        var stored = bundle.Entry.Select(e => e.Annotation<StoredJson>()?.Json).ToList();
        var skeleton = FhirFormats.SerializeJson(bundle);
        if (stored.All(json => json is null))
            return skeleton;

        using var document = JsonDocument.Parse(skeleton);
        var buffer = new ArrayBufferWriter<byte>(skeleton.Length + stored.Sum(json => json?.Length ?? 0) + 16 * stored.Count);
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            writer.WriteStartObject();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!property.NameEquals("entry"))
                {
                    property.WriteTo(writer);
                    continue;
                }
                writer.WriteStartArray("entry");
                var index = 0;
                foreach (var entry in property.Value.EnumerateArray())
                {
                    var json = stored[index++];
                    writer.WriteStartObject();
                    foreach (var field in entry.EnumerateObject())
                    {
                        field.WriteTo(writer);
                        // After fullUrl, where the serialiser puts a resource (bundle.html#json order).
                        if (json is not null && field.NameEquals("fullUrl"))
                        {
                            WriteResource(writer, json);
                            json = null;
                        }
                    }
                    if (json is not null)
                        WriteResource(writer, json);
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
            }
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    // The stored JSON is the server's own serialisation of a validated resource: no second check.
    private static void WriteResource(Utf8JsonWriter writer, byte[] json)
    {
        writer.WritePropertyName("resource");
        writer.WriteRawValue(json, skipInputValidation: true);
    }
}

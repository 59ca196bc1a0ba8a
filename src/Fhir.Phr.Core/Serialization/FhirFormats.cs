using System.Text;
using System.Text.Json;
using System.Xml;
using Fhir.Phr.Core.Errors;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;
using Hl7.Fhir.Utility;

namespace Fhir.Phr.Core.Serialization;

public enum FhirFormat
{
    Json,
    Xml,
}

/// <summary>What a response should contain: R4 search.html#summary and #elements.</summary>
public sealed record ResponseShape(FhirFormat Format, bool Pretty, string? Summary, IReadOnlyList<string>? Elements)
{
    public static readonly ResponseShape Default = new(FhirFormat.Json, false, null, null);

    public bool IsFullResource => Summary is null or "false" && Elements is null;
}

/// <summary>
/// Parsing and writing FHIR JSON and XML with the Firely SDK's POCO (de)serialisers. Parsing
/// is strict (unknown elements, wrong types and bad primitive values are errors), bounded in
/// depth, and reports every problem with its location as a 400 OperationOutcome.
/// </summary>
public static class FhirFormats
{
    // R4 resources nest far less than this; the limit stops stack exhaustion on hostile input.
    private const int MaxDepth = 128;

    private static readonly BaseFhirJsonDeserializer JsonDeserializer = new(ModelInfo.ModelInspector, new DeserializerSettings());
    private static readonly BaseFhirXmlDeserializer XmlDeserializer = new(ModelInfo.ModelInspector, new DeserializerSettings());
    private static readonly BaseFhirJsonSerializer JsonSerializer = new(ModelInfo.ModelInspector);
    private static readonly BaseFhirXmlSerializer XmlSerializer = new(ModelInfo.ModelInspector);

    public static Resource Parse(ReadOnlySpan<byte> body, FhirFormat format) =>
        format == FhirFormat.Json ? ParseJson(body) : ParseXml(body);

    public static Resource ParseJson(ReadOnlySpan<byte> json)
    {
        if (json.IsEmpty)
            throw FhirProblem.BadRequest("The request body is empty; a FHIR resource was expected.");
        var reader = new Utf8JsonReader(json, new JsonReaderOptions { MaxDepth = MaxDepth, CommentHandling = JsonCommentHandling.Disallow });
        try
        {
            if (JsonDeserializer.TryDeserializeResource(ref reader, out var resource, out var issues) && resource is not null)
                return resource;
            throw ParseProblem(issues);
        }
        catch (JsonException e)
        {
            throw FhirProblem.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.Structure, $"The body is not valid JSON: {e.Message}");
        }
    }

    public static Resource ParseXml(ReadOnlySpan<byte> xml)
    {
        if (xml.IsEmpty)
            throw FhirProblem.BadRequest("The request body is empty; a FHIR resource was expected.");
        var settings = new XmlReaderSettings
        {
            DtdProcessing = DtdProcessing.Prohibit,
            XmlResolver = null,
            MaxCharactersFromEntities = 0,
            IgnoreComments = true,
        };
        try
        {
            var bytes = xml.ToArray();
            CheckXmlDepth(bytes, settings);
            using var stream = new MemoryStream(bytes, writable: false);
            using var reader = XmlReader.Create(stream, settings);
            if (XmlDeserializer.TryDeserializeResource(reader, out var resource, out var issues) && resource is not null)
                return resource;
            throw ParseProblem(issues);
        }
        catch (XmlException e)
        {
            throw FhirProblem.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.Structure, $"The body is not valid XML: {e.Message}");
        }
    }

    // The SDK's XML reader recurses per element: refuse hostile nesting before it does.
    private static void CheckXmlDepth(byte[] xml, XmlReaderSettings settings)
    {
        using var stream = new MemoryStream(xml, writable: false);
        using var reader = XmlReader.Create(stream, settings);
        while (reader.Read())
        {
            if (reader.Depth > MaxDepth)
                throw FhirProblem.BadRequest($"The XML nests deeper than {MaxDepth} elements.");
        }
    }

    private static FhirProblem ParseProblem(IEnumerable<CodedException>? issues)
    {
        var outcome = new OperationOutcome { Id = Guid.NewGuid().ToString("N") };
        foreach (var issue in issues ?? [])
        {
            var component = new OperationOutcome.IssueComponent
            {
                Severity = OperationOutcome.IssueSeverity.Error,
                Code = OperationOutcome.IssueType.Structure,
                Diagnostics = issue.Message,
            };
            var location = issue switch
            {
                FhirJsonException j => j.InstancePath,
                FhirXmlException x => x.InstancePath,
                _ => null,
            };
            if (!string.IsNullOrEmpty(location))
                component.Expression = [location];
            outcome.Issue.Add(component);
        }
        if (outcome.Issue.Count == 0)
            outcome.Issue.Add(new OperationOutcome.IssueComponent { Severity = OperationOutcome.IssueSeverity.Error, Code = OperationOutcome.IssueType.Structure, Diagnostics = "The body is not a FHIR resource." });
        return new FhirProblem(System.Net.HttpStatusCode.BadRequest, outcome);
    }

    public static byte[] SerializeJson(Base resource, bool pretty = false, Func<SerializationFilter>? filter = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = pretty, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
            JsonSerializer.Serialize(resource, writer, filter);
        return buffer.ToArray();
    }

    public static byte[] SerializeXml(Base resource, bool pretty = false, Func<SerializationFilter>? filter = null)
    {
        using var buffer = new MemoryStream();
        using (var writer = XmlWriter.Create(buffer, new XmlWriterSettings { Indent = pretty, Encoding = new UTF8Encoding(false), OmitXmlDeclaration = false }))
            XmlSerializer.Serialize(resource, writer, filter, null!);
        return buffer.ToArray();
    }

    public static byte[] Serialize(Base resource, ResponseShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        var filter = FilterFor(shape);
        return shape.Format == FhirFormat.Json ? SerializeJson(resource, shape.Pretty, filter) : SerializeXml(resource, shape.Pretty, filter);
    }

    /// <summary>R4 search.html#summary: true | text | data | count | false; #elements keeps mandatory elements too.</summary>
    public static Func<SerializationFilter>? FilterFor(ResponseShape shape)
    {
        ArgumentNullException.ThrowIfNull(shape);
        if (shape.Elements is { Count: > 0 } elements)
            return SerializationFilter.ForElementsFactory([.. elements]);
        return shape.Summary switch
        {
            null or "false" => null,
            "true" => SerializationFilter.ForSummary,
            "text" => SerializationFilter.ForText,
            "data" => SerializationFilter.ForData,
            "count" => SerializationFilter.ForSummary,
            _ => throw FhirProblem.BadRequest($"_summary={shape.Summary} is not one of true, text, data, count, false.", "_summary"),
        };
    }
}

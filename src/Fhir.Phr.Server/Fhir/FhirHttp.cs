using System.Globalization;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Serialization;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Primitives;

namespace Fhir.Phr.Server.Fhir;

/// <summary>
/// HTTP details of the FHIR REST API (R4 http.html): content negotiation, request bodies,
/// preconditions, Prefer, and writing resources, bundles and outcomes with their headers.
/// </summary>
internal static class FhirHttp
{
    public const string JsonContentType = "application/fhir+json";
    public const string XmlContentType = "application/fhir+xml";

    public static string BaseUrl(HttpRequest request) => $"{request.Scheme}://{request.Host}{request.PathBase}";

    /// <summary>_format wins over Accept (http.html#mime-type); JSON when neither asks for anything.</summary>
    public static ResponseShape Shape(HttpRequest request)
    {
        var format = FormatFromQuery(request.Query["_format"]) ?? FormatFromAccept(request.Headers.Accept);
        var pretty = request.Query["_pretty"] == "true";
        var summary = request.Query["_summary"].FirstOrDefault();
        var elements = request.Query["_elements"].FirstOrDefault()?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return new ResponseShape(format, pretty, summary, elements);
    }

    private static FhirFormat? FormatFromQuery(StringValues value)
    {
        var format = value.FirstOrDefault();
        if (string.IsNullOrEmpty(format))
            return null;
        return Classify(format) ?? throw FhirProblem.Of(System.Net.HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported, $"_format={format} is not supported; use json or xml.");
    }

    private static FhirFormat FormatFromAccept(StringValues accept)
    {
        var any = false;
        foreach (var header in accept)
        {
            foreach (var part in (header ?? "").Split(','))
            {
                var media = part.Split(';')[0].Trim();
                if (media.Length == 0)
                    continue;
                any = true;
                if (Classify(media) is { } format)
                    return format;
                if (media is "*/*" or "application/*" or "text/*")
                    return FhirFormat.Json;
            }
        }
        if (any)
            throw FhirProblem.Of(System.Net.HttpStatusCode.NotAcceptable, OperationOutcome.IssueType.NotSupported, $"None of Accept: {accept} can be produced; this server speaks application/fhir+json and application/fhir+xml.");
        return FhirFormat.Json;
    }

    private static FhirFormat? Classify(string media) => media.ToLowerInvariant() switch
    {
        "json" or "application/fhir+json" or "application/json" or "application/json+fhir" or "text/json" => FhirFormat.Json,
        "xml" or "application/fhir+xml" or "application/xml" or "application/xml+fhir" or "text/xml" => FhirFormat.Xml,
        _ => null,
    };

    /// <summary>Reads the body up to the configured limit (413 beyond it).</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpRequest request, PhrOptions options, CancellationToken cancellationToken)
    {
        if (request.ContentLength > options.MaxRequestBytes)
            throw TooLarge(options);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
        {
            if (buffer.Length + read > options.MaxRequestBytes)
                throw TooLarge(options);
            buffer.Write(chunk, 0, read);
        }
        return buffer.ToArray();
    }

    public static FhirProblem TooLarge(PhrOptions options) =>
        FhirProblem.Of(System.Net.HttpStatusCode.RequestEntityTooLarge, OperationOutcome.IssueType.TooCostly, $"The request body exceeds {options.MaxRequestBytes} bytes (Phr:MaxRequestBytes).");

    public static FhirFormat BodyFormat(HttpRequest request)
    {
        var contentType = request.ContentType?.Split(';')[0].Trim();
        if (string.IsNullOrEmpty(contentType))
            return FhirFormat.Json;
        return Classify(contentType) ?? throw FhirProblem.Of(System.Net.HttpStatusCode.UnsupportedMediaType, OperationOutcome.IssueType.NotSupported,
            $"Content-Type {contentType} is not supported here; send application/fhir+json or application/fhir+xml.");
    }

    /// <summary>Reads and parses the resource in the body, checking its type against the URL.</summary>
    public static async Task<Resource> ReadResourceAsync(HttpRequest request, PhrOptions options, string? expectedType, CancellationToken cancellationToken, string? id = null)
    {
        if (expectedType == "Binary" && IsNativeBinary(request))
            return await ReadNativeBinaryAsync(request, options, id, cancellationToken);
        var format = BodyFormat(request);
        var body = await ReadBodyAsync(request, options, cancellationToken);
        var resource = FhirFormats.Parse(body, format);
        if (expectedType is not null && resource.TypeName != expectedType)
            throw FhirProblem.BadRequest($"The body is a {resource.TypeName} but the URL names {expectedType}.", "resourceType");
        return resource;
    }

    // R4 binary.html#rest: a Binary may be written in its own content type; the body is the data,
    // and X-Security-Context names the resource whose access rules it follows (here: its record).
    private static bool IsNativeBinary(HttpRequest request) =>
        MediaType(request) is { Length: > 0 } media && Classify(media) is null;

    private static string? MediaType(HttpRequest request) => request.ContentType?.Split(';')[0].Trim();

    private static async Task<Binary> ReadNativeBinaryAsync(HttpRequest request, PhrOptions options, string? id, CancellationToken cancellationToken)
    {
        var binary = new Binary
        {
            Id = id,
            ContentType = MediaType(request),
            Data = await ReadBodyAsync(request, options, cancellationToken),
        };
        if (request.Headers[SecurityContextHeader].FirstOrDefault() is { Length: > 0 } context)
            binary.SecurityContext = new ResourceReference(context.Trim());
        return binary;
    }

    public const string SecurityContextHeader = "X-Security-Context";

    /// <summary>
    /// R4 binary.html#rest: a Binary is read in its own content type unless the request
    /// explicitly asks for FHIR (by _format, or a FHIR type in Accept; <c>*/*</c> is not asking).
    /// </summary>
    public static bool WantsNativeBinary(HttpRequest request)
    {
        if (!string.IsNullOrEmpty(request.Query["_format"].FirstOrDefault()))
            return false;
        return !request.Headers.Accept.SelectMany(h => (h ?? "").Split(','))
            .Any(part => Classify(part.Split(';')[0].Trim()) is not null);
    }

    /// <summary>
    /// The Binary's own bytes in its content type. Stored content can be anything a sender gave,
    /// so browsers are told not to sniff it and to run nothing it contains.
    /// </summary>
    public static IResult NativeBinary(HttpContext context, StoredResource stored)
    {
        var binary = (Binary)stored.ToPoco();
        var response = context.Response;
        response.Headers.ETag = stored.ETag;
        response.Headers.LastModified = stored.LastUpdated.ToString("R", CultureInfo.InvariantCulture);
        response.Headers.XContentTypeOptions = "nosniff";
        response.Headers.ContentSecurityPolicy = "sandbox";
        if (binary.SecurityContext?.Reference is { } securityContext)
            response.Headers[SecurityContextHeader] = securityContext;
        return new BodyResult(binary.Data ?? [], binary.ContentType ?? "application/octet-stream", StatusCodes.Status200OK);
    }

    public static int? IfMatch(HttpRequest request)
    {
        var value = request.Headers.IfMatch.FirstOrDefault();
        if (string.IsNullOrEmpty(value))
            return null;
        var trimmed = value.Trim();
        if (trimmed.StartsWith("W/", StringComparison.Ordinal))
            trimmed = trimmed[2..];
        return int.TryParse(trimmed.Trim('"'), NumberStyles.None, CultureInfo.InvariantCulture, out var version)
            ? version
            : throw FhirProblem.BadRequest($"If-Match '{value}' is not a version ETag such as W/\"3\".");
    }

    public static ReturnPreference Return(HttpRequest request)
    {
        foreach (var prefer in request.Headers["Prefer"])
        {
            foreach (var token in (prefer ?? "").Split(',', ';'))
            {
                switch (token.Trim())
                {
                    case "return=minimal":
                        return ReturnPreference.Minimal;
                    case "return=OperationOutcome":
                        return ReturnPreference.OperationOutcome;
                    case "return=representation":
                        return ReturnPreference.Representation;
                }
            }
        }
        return ReturnPreference.Representation;
    }

    public static SearchHandling Handling(HttpRequest request) =>
        request.Headers["Prefer"].Any(p => p is not null && p.Contains("handling=strict", StringComparison.Ordinal)) ? SearchHandling.Strict : SearchHandling.Lenient;

    public static IResult Resource(HttpContext context, StoredResource stored, int status = StatusCodes.Status200OK, ReturnPreference preference = ReturnPreference.Representation, OperationOutcome? outcome = null)
    {
        var response = context.Response;
        response.Headers.ETag = stored.ETag;
        response.Headers.LastModified = stored.LastUpdated.ToString("R", CultureInfo.InvariantCulture);
        if (status == StatusCodes.Status201Created || context.Request.Method is "PUT" or "PATCH")
            response.Headers.Location = $"{BaseUrl(context.Request)}/{stored.ResourceType}/{stored.Id}/_history/{stored.Version}";
        return preference switch
        {
            ReturnPreference.Minimal => Results.StatusCode(status),
            ReturnPreference.OperationOutcome => Write(context, outcome ?? Outcomes.Information($"{stored.ResourceType}/{stored.Id} version {stored.Version} stored."), status),
            _ => WriteStored(context, stored, status),
        };
    }

    private static IResult WriteStored(HttpContext context, StoredResource stored, int status)
    {
        var shape = Shape(context.Request);
        // The stored JSON is sent as is when nothing asks for a different shape: no POCO round trip.
        if (shape is { Format: FhirFormat.Json, Pretty: false } && shape.IsFullResource)
            return new BodyResult(stored.Json, JsonContentType + "; charset=utf-8", status);
        return Write(context, stored.ToPoco(), status, shape);
    }

    public static IResult Write(HttpContext context, Base resource, int status = StatusCodes.Status200OK, ResponseShape? shape = null)
    {
        shape ??= Shape(context.Request);
        var bytes = resource is Bundle bundle
            ? shape is { Format: FhirFormat.Json, Pretty: false } && shape.IsFullResource
                ? StoredEntries.SerializeJson(bundle)
                : FhirFormats.Serialize(StoredEntries.Materialize(bundle), shape)
            : FhirFormats.Serialize(resource, shape);
        var contentType = shape.Format == FhirFormat.Json ? JsonContentType : XmlContentType;
        return new BodyResult(bytes, contentType + "; charset=utf-8", status);
    }

    /// <summary>A problem as OperationOutcome, in the caller's format when it can be told (else JSON).</summary>
    public static async Task WriteProblemAsync(HttpContext context, int status, OperationOutcome outcome)
    {
        ResponseShape shape;
        try
        {
            shape = Shape(context.Request) with { Summary = null, Elements = null };
        }
        catch (FhirProblem)
        {
            shape = ResponseShape.Default;
        }
        var bytes = FhirFormats.Serialize(outcome, shape);
        context.Response.StatusCode = status;
        context.Response.ContentType = (shape.Format == FhirFormat.Json ? JsonContentType : XmlContentType) + "; charset=utf-8";
        await context.Response.Body.WriteAsync(bytes);
    }

    /// <summary>An entry for a stored version; its resource stays stored JSON until <see cref="Write"/> (see <see cref="StoredEntries"/>).</summary>
    public static Bundle.EntryComponent Entry(HttpRequest request, StoredResource stored, Bundle.SearchEntryMode? mode) =>
        StoredEntries.Entry($"{BaseUrl(request)}/{stored.ResourceType}/{stored.Id}", stored, mode);
}

/// <summary>A body with its content type and any status (Results.Bytes always answers 200).</summary>
internal sealed class BodyResult(byte[] body, string contentType, int status) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = status;
        httpContext.Response.ContentType = contentType;
        httpContext.Response.ContentLength = body.Length;
        await httpContext.Response.Body.WriteAsync(body);
    }
}

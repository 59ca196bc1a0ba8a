using Fhir.Phr.Core.Errors;
using Hl7.Fhir.Model;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;

namespace Fhir.Phr.Server.Fhir;

/// <summary>
/// Reading a multipart body (STOW-RS's multipart/related, `$ingest`'s multipart/form-data) part by part, where malformed
/// framing, a truncated body or a body over the limit is the client's error, said plainly (400 or 413), never a 500.
/// </summary>
internal static class MultipartBody
{
    /// <summary>The boundary of a multipart Content-Type of the given media type, or null when the request is not one.</summary>
    public static string? Boundary(HttpRequest request, string mediaType)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || !contentType.MediaType.Equals(mediaType, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }
        var boundary = HeaderUtilities.RemoveQuotes(contentType.Boundary).Value;
        return string.IsNullOrEmpty(boundary)
            ? throw FhirProblem.BadRequest($"The {mediaType} request has no boundary.")
            : boundary;
    }

    public static async Task<MultipartSection?> NextSectionAsync(MultipartReader reader, string what, CancellationToken cancellationToken)
    {
        try
        {
            return await reader.ReadNextSectionAsync(cancellationToken);
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            throw Unreadable(e, what);
        }
    }

    public static async Task<MemoryStream> ReadPartAsync(MultipartSection section, string what, CancellationToken cancellationToken)
    {
        var buffer = new MemoryStream();
        try
        {
            await section.Body.CopyToAsync(buffer, cancellationToken);
            return buffer;
        }
        catch (Exception e) when (e is InvalidDataException or IOException)
        {
            await buffer.DisposeAsync();
            throw Unreadable(e, what);
        }
    }

    private static FhirProblem Unreadable(Exception e, string what) =>
        e.Message.Contains("limit", StringComparison.OrdinalIgnoreCase)
            ? FhirProblem.Of(System.Net.HttpStatusCode.RequestEntityTooLarge, OperationOutcome.IssueType.TooLong, $"The {what} request is larger than this server accepts: {e.Message}")
            : FhirProblem.BadRequest($"The {what} body cannot be read: {e.Message}");
}

using System.Globalization;
using Fhir.Phr.Core;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Serialization;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Fhir;

/// <summary>The Parameters body of our FHIR operations ($share, $revoke, $break-glass, the review decisions) and its simple values.</summary>
internal static class OperationParameters
{
    /// <summary>The body as Parameters; an empty body is an empty Parameters, so a missing value is reported by name.</summary>
    public static async Task<Parameters> ReadAsync(HttpRequest request, PhrOptions options, CancellationToken cancellationToken)
    {
        var body = await FhirHttp.ReadBodyAsync(request, options, cancellationToken);
        if (body.Length == 0)
            return new Parameters();
        var resource = FhirFormats.Parse(body, FhirHttp.BodyFormat(request));
        return resource as Parameters ?? throw FhirProblem.BadRequest($"The body is a {resource.TypeName}; this operation takes a Parameters resource.", "resourceType");
    }

    /// <summary>A parameter's value as text (string, markdown, code, id or integer), or null when it is absent.</summary>
    public static string? Text(Parameters parameters, string name) =>
        parameters.Parameter.FirstOrDefault(p => p.Name == name)?.Value switch
        {
            null => null,
            FhirString s => s.Value,
            Markdown m => m.Value,
            Code c => c.Value,
            Id i => i.Value,
            Integer n => n.Value?.ToString(CultureInfo.InvariantCulture),
            Integer64 n => n.Value?.ToString(CultureInfo.InvariantCulture),
            var other => throw FhirProblem.BadRequest($"Parameter '{name}' must be a string, not {other.TypeName}.", name),
        };
}

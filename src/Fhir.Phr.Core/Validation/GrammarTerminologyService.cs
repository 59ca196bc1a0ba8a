using System.Text.RegularExpressions;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Terminology;

namespace Fhir.Phr.Core.Validation;

/// <summary>
/// Code validation for the two value sets R4 defines by a grammar rather than a list: MIME
/// types (urn:ietf:bcp:13, required on every Attachment.contentType) and languages
/// (urn:ietf:bcp:47). The SDK's local terminology service cannot expand them and throws on
/// each attempt, which cost more than the rest of validation together; here the code's syntax
/// is checked instead (RFC 6838 media types, RFC 5646 language tags). Everything else goes to
/// the local service.
/// </summary>
internal sealed partial class GrammarTerminologyService(ICodeValidationTerminologyService inner) : ICodeValidationTerminologyService
{
    private const string MimeTypes = "http://hl7.org/fhir/ValueSet/mimetypes";
    private const string Languages = "http://hl7.org/fhir/ValueSet/languages";
    private const string AllLanguages = "http://hl7.org/fhir/ValueSet/all-languages";

    // RFC 6838 section 4.2 type/subtype names, with optional parameters.
    [GeneratedRegex(@"^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\s*;\s*[A-Za-z0-9!#$&^_.+-]+=(""[^""]*""|[A-Za-z0-9!#$&^_.+-]+))*$")]
    private static partial Regex MediaType();

    // RFC 5646 language tag, simplified to its shape: language, then subtags of 1-8 alphanumerics.
    [GeneratedRegex(@"^[A-Za-z]{2,8}(-[A-Za-z0-9]{1,8})*$")]
    private static partial Regex LanguageTag();

    public Task<Parameters> ValueSetValidateCode(Parameters parameters, string? id = null, bool useGet = false)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        var url = (parameters.GetSingleValue<FhirUri>("url")?.Value ?? parameters.GetSingleValue<Canonical>("url")?.Value)?.Split('|')[0];
        var grammar = url switch
        {
            MimeTypes => MediaType(),
            Languages or AllLanguages => LanguageTag(),
            _ => null,
        };
        if (grammar is null)
            return inner.ValueSetValidateCode(parameters, id, useGet);

        var codes = Codes(parameters).ToList();
        var valid = codes.Count > 0 && codes.Any(c => grammar.IsMatch(c));
        var result = new Parameters().Add("result", new FhirBoolean(valid));
        if (!valid)
            result.Add("message", new FhirString($"'{string.Join("', '", codes)}' is not a valid code of {url}."));
        return System.Threading.Tasks.Task.FromResult(result);
    }

    public Task<Parameters> Subsumes(Parameters parameters, string? id = null, bool useGet = false) =>
        inner.Subsumes(parameters, id, useGet);

    private static IEnumerable<string> Codes(Parameters parameters)
    {
        if (parameters.GetSingleValue<Code>("code")?.Value is { } code)
            yield return code;
        if (parameters.GetSingleValue<Coding>("coding")?.Code is { } coded)
            yield return coded;
        if (parameters.GetSingleValue<CodeableConcept>("codeableConcept") is { } concept)
            foreach (var coding in concept.Coding.Where(c => c.Code is not null))
                yield return coding.Code!;
    }
}

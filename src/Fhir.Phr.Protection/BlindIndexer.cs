using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Protection;

/// <summary>
/// Keyed HMAC "blind index" of values that identify a person (names, identifiers, telecom,
/// addresses, birth dates): the database can test equality against a query's blind value
/// but never learns the value. Values are normalised first (case, accents, spacing) so that
/// FHIR's case- and accent-insensitive string matching still works.
/// </summary>
public sealed class BlindIndexer
{
    private readonly byte[] _key;

    public BlindIndexer(MasterKey masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        _key = masterKey.Derive("fhir.phr/blind-index/v1");
    }

    /// <summary>
    /// Blind value of <paramref name="value"/> within a domain (e.g. "Patient.name:prefix").
    /// 16 bytes of HMAC-SHA256, base64: collisions are negligible at any realistic size.
    /// </summary>
    public string Blind(string domain, string value)
    {
        var input = Encoding.UTF8.GetBytes(domain + "\u001f" + value);
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(_key, input, mac);
        return Convert.ToBase64String(mac[..16]);
    }

    /// <summary>FHIR string-search normalisation: lower case, accents removed, whitespace collapsed.</summary>
    public static string Normalize(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        var decomposed = value.Normalize(NormalizationForm.FormD);
        var builder = new StringBuilder(decomposed.Length);
        var lastWasSpace = true;
        foreach (var ch in decomposed)
        {
            var category = CharUnicodeInfo.GetUnicodeCategory(ch);
            if (category == UnicodeCategory.NonSpacingMark)
                continue;
            if (char.IsWhiteSpace(ch))
            {
                if (!lastWasSpace)
                    builder.Append(' ');
                lastWasSpace = true;
                continue;
            }
            builder.Append(char.ToLowerInvariant(ch));
            lastWasSpace = false;
        }
        if (builder.Length > 0 && builder[^1] == ' ')
            builder.Length--;
        return builder.ToString().Normalize(NormalizationForm.FormC);
    }
}

using Fhir.Phr.Core.Storage;
using Fhir.Phr.Protection;

namespace Fhir.Phr.Core.Search;

/// <summary>
/// Turns plaintext <see cref="IndexValue"/>s into stored index rows. Identifying values never
/// reach the database in clear (architecture.md "Search over ciphertext"): strings become a
/// blind value per prefix (prefix search) plus one for the exact text, tokens a blind code,
/// and the birth date is coarsened to its year, with exact filtering after decryption.
/// </summary>
public sealed class IndexProtection(BlindIndexer blindIndexer, ProtectionOptions options)
{
    /// <summary>Longest prefix indexed for blind strings; longer queries are verified after decryption.</summary>
    public const int MaxBlindPrefix = 32;

    /// <summary>Plain strings are indexed up to this length; longer values are verified after decryption.</summary>
    public const int MaxPlainText = 200;

    /// <summary>False only when protection is switched off for benchmarks.</summary>
    public bool IsBlinding => !options.DisabledForBenchmarks;

    public IEnumerable<SearchIndexEntry> ToEntries(IndexValue value, bool blind)
    {
        ArgumentNullException.ThrowIfNull(value);
        // With protection switched off for benchmarks, identifying values are stored plain too.
        if (!blind || !value.Identifying || options.DisabledForBenchmarks)
        {
            yield return Plain(value);
            yield break;
        }

        switch (value.Kind)
        {
            case IndexKind.String:
                var normalized = BlindIndexer.Normalize(value.Text ?? "");
                var longest = Math.Min(normalized.Length, MaxBlindPrefix);
                for (var length = value.WholeValue ? longest : 1; length <= longest; length++)
                {
                    yield return new SearchIndexEntry
                    {
                        Param = value.Param,
                        Kind = IndexKind.String,
                        Text = BlindPrefix(value.Param, normalized[..length]),
                        Code = length == longest ? BlindExact(value.Param, value.Text ?? "") : null,
                        Blind = true,
                    };
                }
                break;
            case IndexKind.Token:
                yield return new SearchIndexEntry { Param = value.Param, Kind = IndexKind.Token, System = value.System, Code = value.Code is null ? null : BlindToken(value.Param, value.Code), Text = value.Text is null ? null : BlindIndexer.Normalize(value.Text), Blind = true };
                break;
            case IndexKind.Date:
                var year = value.Low!.Value.Year;
                var low = new DateTime(Math.Max(1, year - 1), 12, 31, 0, 0, 0, DateTimeKind.Utc);
                var high = new DateTime(Math.Min(9999, year + 1), 1, 2, 0, 0, 0, DateTimeKind.Utc);
                // The year, widened by a day on each side so that time zones never move a date out of it.
                yield return new SearchIndexEntry { Param = value.Param, Kind = IndexKind.Date, Low = low, High = high, Blind = true };
                break;
            default:
                yield return Plain(value);
                break;
        }
    }

    private static SearchIndexEntry Plain(IndexValue value) => new()
    {
        Param = value.Param,
        Kind = value.Kind,
        Text = value.Kind switch
        {
            IndexKind.String => Truncate(BlindIndexer.Normalize(value.Text ?? "")),
            IndexKind.Token => value.Text is null ? null : Truncate(BlindIndexer.Normalize(value.Text)),
            _ => value.Text,
        },
        Code = value.Kind == IndexKind.String ? Truncate(value.Text ?? "") : value.Code,
        System = value.System,
        Low = value.Low,
        High = value.High,
        Number = value.Number,
        RefType = value.RefType,
        RefId = value.RefId,
    };

    private static string Truncate(string text) => text.Length <= MaxPlainText ? text : text[..MaxPlainText];

    public string BlindPrefix(string param, string normalizedPrefix) => blindIndexer.Blind("prefix:" + param, normalizedPrefix);

    public string BlindExact(string param, string text) => blindIndexer.Blind("exact:" + param, text);

    public string BlindToken(string param, string code) => blindIndexer.Blind("token:" + param, code);
}

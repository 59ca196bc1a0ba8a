using System.Text;
using Fhir.Phr.Protection;

namespace Fhir.Phr.Core.Search;

/// <summary>
/// The "phonetic" parameter (R4 Patient-phonetic: "a portion of either family or given name
/// using some kind of phonetic matching algorithm") matches by American Soundex: each name part
/// is indexed as its 4-character code and a search value is converted the same way, so
/// "Smyth" finds "Smith". One index row per part instead of one per prefix.
/// </summary>
public static class Phonetic
{
    public const string ParameterCode = "phonetic";

    /// <summary>Soundex of each word of <paramref name="value"/>; words without letters give nothing.</summary>
    public static IEnumerable<string> Keys(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        foreach (var word in BlindIndexer.Normalize(value).Split([' ', '-', '\''], StringSplitOptions.RemoveEmptyEntries))
        {
            if (Soundex(word) is { } key)
                yield return key;
        }
    }

    // The US National Archives' Soundex: first letter, then digits for consonant groups, where
    // h and w do not separate equal codes but vowels do; padded to four characters.
    private static string? Soundex(string word)
    {
        var builder = new StringBuilder(4);
        var previous = '\0';
        foreach (var c in word)
        {
            if (c is < 'a' or > 'z')
                continue;
            var code = Code(c);
            if (builder.Length == 0)
            {
                builder.Append(char.ToUpperInvariant(c));
                previous = code;
                continue;
            }
            if (code is >= '1' and <= '6' && code != previous)
                builder.Append(code);
            if (c is not ('h' or 'w'))
                previous = code;
            if (builder.Length == 4)
                break;
        }
        return builder.Length == 0 ? null : builder.ToString().PadRight(4, '0');
    }

    private static char Code(char c) => c switch
    {
        'b' or 'f' or 'p' or 'v' => '1',
        'c' or 'g' or 'j' or 'k' or 'q' or 's' or 'x' or 'z' => '2',
        'd' or 't' => '3',
        'l' => '4',
        'm' or 'n' => '5',
        'r' => '6',
        _ => '0',
    };
}

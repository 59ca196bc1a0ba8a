using System.Globalization;
using System.Text;

namespace Fhir.Phr.Core.Patching;

/// <summary>
/// An RFC 6901 JSON Pointer, parsed into its unescaped reference tokens.
/// </summary>
internal sealed class JsonPointer
{
    private JsonPointer(string text, string[] tokens)
    {
        Text = text;
        Tokens = tokens;
    }

    /// <summary>The pointer as written in the patch document (escaped form).</summary>
    public string Text { get; }

    /// <summary>The unescaped reference tokens; empty for the whole document.</summary>
    public IReadOnlyList<string> Tokens { get; }

    public bool IsRoot => Tokens.Count == 0;

    /// <summary>The last reference token; only valid when <see cref="IsRoot"/> is false.</summary>
    public string LastToken => Tokens[^1];

    /// <summary>The pointer to the container of this location; only valid when <see cref="IsRoot"/> is false.</summary>
    public JsonPointer Parent
    {
        get
        {
            var parentTokens = Tokens.Take(Tokens.Count - 1).ToArray();
            return new JsonPointer(Format(parentTokens), parentTokens);
        }
    }

    /// <summary>
    /// Parses a JSON Pointer. RFC 6901 section 3: a pointer is empty (the whole document) or a
    /// sequence of "/"-prefixed tokens in which "~" may only appear as "~0" or "~1".
    /// </summary>
    public static bool TryParse(string text, out JsonPointer pointer, out string error)
    {
        pointer = new JsonPointer(string.Empty, []);
        error = string.Empty;
        if (text.Length == 0)
        {
            return true;
        }

        if (text[0] != '/')
        {
            error = $"JSON Pointer '{text}' must be empty or start with '/' (RFC 6901 section 3)";
            return false;
        }

        var raw = text[1..].Split('/');
        var tokens = new string[raw.Length];
        for (var i = 0; i < raw.Length; i++)
        {
            if (!TryUnescape(raw[i], out var token))
            {
                error = $"JSON Pointer '{text}' has an invalid escape in token '{raw[i]}': '~' must be followed by '0' or '1' (RFC 6901 section 3)";
                return false;
            }

            tokens[i] = token;
        }

        pointer = new JsonPointer(text, tokens);
        return true;
    }

    /// <summary>
    /// Parses an array index token. RFC 6901 section 4: "0" or a digit sequence without a leading
    /// zero; "-" (the element after the last) is handled by callers because only add accepts it.
    /// </summary>
    public static bool TryParseArrayIndex(string token, out int index)
    {
        index = -1;
        if (token.Length == 0 || (token.Length > 1 && token[0] == '0'))
        {
            return false;
        }

        foreach (var c in token)
        {
            if (c is < '0' or > '9')
            {
                return false;
            }
        }

        return int.TryParse(token, NumberStyles.None, CultureInfo.InvariantCulture, out index);
    }

    /// <summary>True when this pointer names a strict ancestor of <paramref name="other"/>.</summary>
    public bool IsProperPrefixOf(JsonPointer other)
    {
        if (Tokens.Count >= other.Tokens.Count)
        {
            return false;
        }

        for (var i = 0; i < Tokens.Count; i++)
        {
            if (!string.Equals(Tokens[i], other.Tokens[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public bool IsSameLocationAs(JsonPointer other) =>
        Tokens.Count == other.Tokens.Count && IsPrefixOrEqual(other);

    public override string ToString() => Text;

    private bool IsPrefixOrEqual(JsonPointer other)
    {
        for (var i = 0; i < Tokens.Count; i++)
        {
            if (!string.Equals(Tokens[i], other.Tokens[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    // RFC 6901 section 4: transform "~1" to "/" before "~0" to "~", so that "~01" becomes "~1".
    // Scanning left to right and decoding each escape once achieves exactly that.
    private static bool TryUnescape(string raw, out string token)
    {
        token = raw;
        if (!raw.Contains('~', StringComparison.Ordinal))
        {
            return true;
        }

        var sb = new StringBuilder(raw.Length);
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (c != '~')
            {
                sb.Append(c);
                continue;
            }

            if (i + 1 >= raw.Length)
            {
                return false;
            }

            var next = raw[++i];
            if (next == '0')
            {
                sb.Append('~');
            }
            else if (next == '1')
            {
                sb.Append('/');
            }
            else
            {
                return false;
            }
        }

        token = sb.ToString();
        return true;
    }

    private static string Format(string[] tokens) =>
        string.Concat(tokens.Select(t => "/" + t.Replace("~", "~0", StringComparison.Ordinal).Replace("/", "~1", StringComparison.Ordinal)));
}

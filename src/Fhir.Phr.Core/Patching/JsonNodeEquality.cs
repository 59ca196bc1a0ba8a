using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Fhir.Phr.Core.Patching;

/// <summary>
/// JSON value equality as RFC 6902 section 4.6 ("test") defines it: same type, strings equal
/// codepoint by codepoint, numbers numerically equal, arrays equal element by element in order,
/// objects with the same set of members (order irrelevant) whose values are equal.
/// </summary>
internal static class JsonNodeEquality
{
    public static bool DeepEquals(JsonNode? left, JsonNode? right)
    {
        if (left is null || right is null)
        {
            return left is null && right is null;
        }

        var kind = left.GetValueKind();
        if (kind != right.GetValueKind())
        {
            return false;
        }

        switch (kind)
        {
            case JsonValueKind.Object:
                var lo = left.AsObject();
                var ro = right.AsObject();
                if (lo.Count != ro.Count)
                {
                    return false;
                }

                foreach (var (key, value) in lo)
                {
                    if (!ro.TryGetPropertyValue(key, out var other) || !DeepEquals(value, other))
                    {
                        return false;
                    }
                }

                return true;

            case JsonValueKind.Array:
                var la = left.AsArray();
                var ra = right.AsArray();
                if (la.Count != ra.Count)
                {
                    return false;
                }

                for (var i = 0; i < la.Count; i++)
                {
                    if (!DeepEquals(la[i], ra[i]))
                    {
                        return false;
                    }
                }

                return true;

            case JsonValueKind.String:
                return string.Equals(left.GetValue<string>(), right.GetValue<string>(), StringComparison.Ordinal);

            case JsonValueKind.Number:
                return NumbersEqual(left.ToJsonString(), right.ToJsonString());

            default:
                // true, false and null carry no further content than their kind.
                return true;
        }
    }

    // Numbers compare by value, not spelling: 1, 1.0 and 1e0 are the same JSON number.
    private static bool NumbersEqual(string left, string right)
    {
        if (decimal.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var ld)
            && decimal.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var rd))
        {
            return ld == rd;
        }

        return double.TryParse(left, NumberStyles.Float, CultureInfo.InvariantCulture, out var l)
            && double.TryParse(right, NumberStyles.Float, CultureInfo.InvariantCulture, out var r)
            && l.Equals(r);
    }
}

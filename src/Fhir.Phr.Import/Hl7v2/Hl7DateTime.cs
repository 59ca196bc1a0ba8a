using System.Globalization;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>
/// An HL7 v2 DTM/TS value (HL7 v2.5.1 2.A): YYYY[MM[DD[HH[MM[SS[.S[S[S[S]]]]]]]]][+/-ZZZZ],
/// kept at the precision the sender wrote.
/// </summary>
internal sealed record Hl7DateTime(DateTime Value, int Digits, TimeSpan? Offset)
{
    public bool HasTime => Digits > 8;

    public static bool TryParse(string text, out Hl7DateTime value)
    {
        value = new Hl7DateTime(DateTime.MinValue, 0, null);
        text = text.Trim();
        TimeSpan? offset = null;
        var sign = text.IndexOfAny(['+', '-']);
        if (sign >= 0)
        {
            var zone = text[(sign + 1)..];
            if (zone.Length != 4 || !int.TryParse(zone, NumberStyles.None, CultureInfo.InvariantCulture, out var hhmm) || hhmm / 100 > 14 || hhmm % 100 > 59)
            {
                return false;
            }

            var span = new TimeSpan(hhmm / 100, hhmm % 100, 0);
            offset = text[sign] == '-' ? -span : span;
            text = text[..sign];
        }

        var fraction = 0m;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            var digits = text[(dot + 1)..];
            if (dot != 14 || digits.Length is 0 or > 4 || !decimal.TryParse("0." + digits, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out fraction))
            {
                return false;
            }

            text = text[..dot];
        }

        if (text.Length is not (4 or 6 or 8 or 10 or 12 or 14) || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        int Read(int start, int fallback) => text.Length > start ? int.Parse(text.AsSpan(start, 2), CultureInfo.InvariantCulture) : fallback;

        var year = int.Parse(text.AsSpan(0, 4), CultureInfo.InvariantCulture);
        var month = Read(4, 1);
        var day = Read(6, 1);
        var hour = Read(8, 0);
        var minute = Read(10, 0);
        var second = Read(12, 0);
        // Years 1 and 9999 are excluded so that any UTC offset still gives a representable instant.
        if (year is < 2 or > 9998 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month) || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var dateTime = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified)
            .AddTicks((long)(fraction * TimeSpan.TicksPerSecond));
        value = new Hl7DateTime(dateTime, text.Length + (dot >= 0 ? 1 : 0), offset);
        return true;
    }

    /// <summary>FHIR date at the precision written (year, year-month or full date).</summary>
    public string ToFhirDate() => Digits switch
    {
        4 => Value.ToString("yyyy", CultureInfo.InvariantCulture),
        6 => Value.ToString("yyyy-MM", CultureInfo.InvariantCulture),
        _ => Value.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// FHIR dateTime. A time needs a zone in FHIR (R4 datatypes.html#dateTime); when the value has none,
    /// <paramref name="fallbackOffset"/> (the sender's, from MSH-7) is used.
    /// </summary>
    public string ToFhirDateTime(TimeSpan fallbackOffset) =>
        HasTime ? ToDateTimeOffset(fallbackOffset).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFFK", CultureInfo.InvariantCulture) : ToFhirDate();

    public DateTimeOffset ToDateTimeOffset(TimeSpan fallbackOffset) => new(Value, Offset ?? fallbackOffset);
}

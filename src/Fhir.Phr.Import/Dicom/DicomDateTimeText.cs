using System.Globalization;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// A DT value broken into its parts with the precision it was sent with (PS3.5 §6.2), so a
/// partial value such as "2019" or "201905" can become a partial FHIR dateTime without invention.
/// </summary>
internal readonly record struct DicomDateTimeText(int Year, int? Month, int? Day, int? Hour, int? Minute, int? Second, string? Fraction, TimeSpan? Offset)
{
    internal static bool TryParse(string text, out DicomDateTimeText value)
    {
        value = default;
        text = text.Trim();
        TimeSpan? offset = null;
        var signAt = text.IndexOfAny(['+', '-']);
        if (signAt >= 0)
        {
            if (!TryParseOffset(text[signAt..], out var parsedOffset))
            {
                return false;
            }

            offset = parsedOffset;
            text = text[..signAt];
        }

        string? fraction = null;
        var dot = text.IndexOf('.', StringComparison.Ordinal);
        if (dot >= 0)
        {
            fraction = text[(dot + 1)..];
            text = text[..dot];
            if (fraction.Length is 0 or > 6 || !fraction.All(char.IsAsciiDigit) || text.Length != 14)
            {
                return false;
            }
        }

        if (text.Length is < 4 or > 14 || text.Length % 2 != 0 || !text.All(char.IsAsciiDigit))
        {
            return false;
        }

        int? Part(int start) => text.Length >= start + 2 ? int.Parse(text.AsSpan(start, 2), CultureInfo.InvariantCulture) : null;
        var candidate = new DicomDateTimeText(int.Parse(text.AsSpan(0, 4), CultureInfo.InvariantCulture), Part(4), Part(6), Part(8), Part(10), Part(12), fraction, offset);
        if (candidate.Month is < 1 or > 12 || candidate.Hour is > 23 || candidate.Minute is > 59 || candidate.Second is > 60 || candidate.Year < 1)
        {
            return false;
        }

        if (candidate.Day is { } day && (day < 1 || day > DateTime.DaysInMonth(candidate.Year, candidate.Month!.Value)))
        {
            return false;
        }

        value = candidate;
        return true;
    }

    /// <summary>TM accepts the pre-1993 form HH:MM:SS; DT does not, so colons are removed before combining.</summary>
    internal static string NormalizeTime(string time) => time.Trim().Replace(":", string.Empty, StringComparison.Ordinal);

    internal static bool TryParseOffset(string text, out TimeSpan offset)
    {
        offset = default;
        text = text.Trim();
        if (text.Length != 5 || text[0] is not ('+' or '-') || !text.AsSpan(1).ToString().All(char.IsAsciiDigit))
        {
            return false;
        }

        var hours = int.Parse(text.AsSpan(1, 2), CultureInfo.InvariantCulture);
        var minutes = int.Parse(text.AsSpan(3, 2), CultureInfo.InvariantCulture);
        if (hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (text[0] == '-' ? -1 : 1);
        return true;
    }

    internal DateTimeOffset ToDateTimeOffset(TimeSpan defaultOffset)
    {
        var ticks = Fraction is null ? 0 : int.Parse(Fraction.PadRight(7, '0'), CultureInfo.InvariantCulture);
        var dateTime = new DateTime(Year, Month ?? 1, Day ?? 1, Hour ?? 0, Minute ?? 0, Math.Min(Second ?? 0, 59), DateTimeKind.Unspecified).AddTicks(ticks);
        return new DateTimeOffset(dateTime, Offset ?? defaultOffset);
    }

    /// <summary>
    /// FHIR R4 dateTime (datatypes.html#dateTime) at the precision sent. FHIR requires a zone once
    /// hours are given, so without one (and without a caller default) the value stops at the date.
    /// </summary>
    internal string ToFhirDateTime(TimeSpan? defaultOffset)
    {
        var result = Year.ToString("D4", CultureInfo.InvariantCulture);
        if (Month is not { } month)
        {
            return result;
        }

        result += "-" + month.ToString("D2", CultureInfo.InvariantCulture);
        if (Day is not { } day)
        {
            return result;
        }

        result += "-" + day.ToString("D2", CultureInfo.InvariantCulture);
        var offset = Offset ?? defaultOffset;
        if (Hour is not { } hour || offset is not { } zone)
        {
            return result;
        }

        result += string.Create(CultureInfo.InvariantCulture, $"T{hour:D2}:{Minute ?? 0:D2}:{Math.Min(Second ?? 0, 59):D2}");
        if (Fraction is not null)
        {
            result += "." + Fraction;
        }

        var sign = zone < TimeSpan.Zero ? "-" : "+";
        var abs = zone.Duration();
        return result + string.Create(CultureInfo.InvariantCulture, $"{sign}{abs.Hours:D2}:{abs.Minutes:D2}");
    }
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Fhir.Phr.Import.Csv;

/// <summary>Reads the dates hospital exports write: ISO, day/month/year or month/day/year as the options say, or a mapping's format.</summary>
internal static partial class CsvDates
{
    /// <summary>A calendar date; false for text that is not a date or names a day that does not exist (31/02/1980).</summary>
    public static bool TryParseDate(string value, CsvDateOrder order, string? format, out DateOnly date)
    {
        date = default;
        if (format is not null
            && DateOnly.TryParseExact(value, format, CultureInfo.InvariantCulture, DateTimeStyles.None, out date))
        {
            return true;
        }

        if (Iso().Match(value) is { Success: true } iso)
        {
            return TryCreate(Number(iso, "y"), Number(iso, "m"), Number(iso, "d"), out date);
        }

        if (Separated().Match(value) is { Success: true } separated)
        {
            // Both orders fit 03/04/1980; only the sender's convention, given as an option, can decide, so no guessing from the values.
            var first = Number(separated, "a");
            var second = Number(separated, "b");
            var (day, month) = order == CsvDateOrder.MonthFirst ? (second, first) : (first, second);
            return TryCreate(Number(separated, "y"), month, day, out date);
        }

        return false;
    }

    /// <summary>A date with an optional time, and the time's UTC offset (or Z) when the text has one.</summary>
    public static bool TryParseDateTime(string value, CsvDateOrder order, string? format, out DateOnly date, out TimeOnly? time, out TimeSpan? offset)
    {
        time = null;
        offset = null;
        if (TryParseDate(value, order, format, out date))
        {
            return true;
        }

        if (DateAndTime().Match(value) is not { Success: true } match
            || !TryParseDate(match.Groups["date"].Value, order, format, out date))
        {
            return false;
        }

        var hour = Number(match, "h");
        var minute = Number(match, "min");
        var second = match.Groups["s"].Success ? Number(match, "s") : 0;
        if (hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new TimeOnly(hour, minute, second);
        var zone = match.Groups["z"];
        if (!zone.Success)
        {
            return true;
        }

        if (zone.Value == "Z")
        {
            offset = TimeSpan.Zero;
            return true;
        }

        var digits = zone.Value.Replace(":", string.Empty, StringComparison.Ordinal);
        var hours = int.Parse(digits.AsSpan(1, 2), CultureInfo.InvariantCulture);
        var minutes = int.Parse(digits.AsSpan(3, 2), CultureInfo.InvariantCulture);
        if (hours > 14 || minutes > 59)
        {
            return false;
        }

        offset = new TimeSpan(hours, minutes, 0) * (digits[0] == '-' ? -1 : 1);
        return true;
    }

    private static int Number(Match match, string group) => int.Parse(match.Groups[group].ValueSpan, CultureInfo.InvariantCulture);

    private static bool TryCreate(int year, int month, int day, out DateOnly date)
    {
        date = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    // [0-9], not \d: \d also matches other scripts' digits, which int.Parse does not read.
    [GeneratedRegex("^(?<y>[0-9]{4})-(?<m>[0-9]{2})-(?<d>[0-9]{2})$", RegexOptions.CultureInvariant)]
    private static partial Regex Iso();

    [GeneratedRegex(@"^(?<a>[0-9]{1,2})(?<sep>[/.\-])(?<b>[0-9]{1,2})\k<sep>(?<y>[0-9]{4})$", RegexOptions.CultureInvariant)]
    private static partial Regex Separated();

    [GeneratedRegex("^(?<date>[^ T]+)[T ](?<h>[0-9]{2}):(?<min>[0-9]{2})(?::(?<s>[0-9]{2})(?:\\.[0-9]{1,7})?)? ?(?<z>Z|[+-][0-9]{2}:?[0-9]{2})?$", RegexOptions.CultureInvariant)]
    private static partial Regex DateAndTime();
}

using System.Globalization;
using System.Text.RegularExpressions;

namespace Fhir.Phr.Core.Search;

/// <summary>
/// A FHIR date, dateTime or instant as the closed UTC interval it denotes
/// (R4 search.html#date: "the precision of the value is a range").
/// </summary>
public readonly record struct FhirDateRange(DateTime Low, DateTime High)
{
    private static readonly Regex Pattern = new(
        @"^(?<y>\d{4})(-(?<m>\d{2})(-(?<d>\d{2})(T(?<h>\d{2})(:(?<min>\d{2})(:(?<s>\d{2})(?<f>\.\d+)?)?)?(?<tz>Z|[+-]\d{2}:\d{2})?)?)?)?$",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture,
        TimeSpan.FromMilliseconds(100));

    public static readonly DateTime MinValue = new(1, 1, 1, 0, 0, 0, DateTimeKind.Utc);
    public static readonly DateTime MaxValue = new DateTime(9999, 12, 31, 23, 59, 59, 999, DateTimeKind.Utc).AddTicks(9999);

    /// <summary>Parses a FHIR partial date-time. A value without a time zone is taken as UTC (decisions.md).</summary>
    public static bool TryParse(string? value, out FhirDateRange range)
    {
        range = default;
        if (string.IsNullOrEmpty(value))
            return false;
        var match = Pattern.Match(value);
        if (!match.Success)
            return false;
        try
        {
            var year = Int(match, "y");
            if (!match.Groups["m"].Success)
                return Set(new DateTime(year, 1, 1, 0, 0, 0, DateTimeKind.Utc), d => d.AddYears(1), TimeSpan.Zero, out range);
            var month = Int(match, "m");
            if (!match.Groups["d"].Success)
                return Set(new DateTime(year, month, 1, 0, 0, 0, DateTimeKind.Utc), d => d.AddMonths(1), TimeSpan.Zero, out range);
            var day = Int(match, "d");
            if (!match.Groups["h"].Success)
                return Set(new DateTime(year, month, day, 0, 0, 0, DateTimeKind.Utc), d => d.AddDays(1), TimeSpan.Zero, out range);
            var offset = Offset(match.Groups["tz"].Value);
            var hour = Int(match, "h");
            if (!match.Groups["min"].Success)
                return Set(new DateTime(year, month, day, hour, 0, 0, DateTimeKind.Utc), d => d.AddHours(1), offset, out range);
            var minute = Int(match, "min");
            if (!match.Groups["s"].Success)
                return Set(new DateTime(year, month, day, hour, minute, 0, DateTimeKind.Utc), d => d.AddMinutes(1), offset, out range);
            var second = Int(match, "s");
            var start = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Utc);
            if (!match.Groups["f"].Success)
                return Set(start, d => d.AddSeconds(1), offset, out range);
            var fraction = match.Groups["f"].Value;
            var ticks = (long)Math.Round(double.Parse("0" + fraction, CultureInfo.InvariantCulture) * TimeSpan.TicksPerSecond);
            var digits = fraction.Length - 1;
            var step = digits >= 7 ? 1 : (long)Math.Pow(10, 7 - digits);
            return Set(start.AddTicks(ticks), d => d.AddTicks(step), offset, out range);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false;
        }
    }

    private static bool Set(DateTime start, Func<DateTime, DateTime> next, TimeSpan offset, out FhirDateRange range)
    {
        var low = start - offset;
        var high = (next(start) - offset).AddTicks(-1);
        range = new FhirDateRange(DateTime.SpecifyKind(low, DateTimeKind.Utc), DateTime.SpecifyKind(high, DateTimeKind.Utc));
        return true;
    }

    private static int Int(Match match, string group) => int.Parse(match.Groups[group].Value, CultureInfo.InvariantCulture);

    private static TimeSpan Offset(string tz)
    {
        if (tz.Length == 0 || tz == "Z")
            return TimeSpan.Zero;
        var sign = tz[0] == '-' ? -1 : 1;
        return sign * new TimeSpan(int.Parse(tz.AsSpan(1, 2), CultureInfo.InvariantCulture), int.Parse(tz.AsSpan(4, 2), CultureInfo.InvariantCulture), 0);
    }
}

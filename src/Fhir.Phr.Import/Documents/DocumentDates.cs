using System.Globalization;
using System.Text.RegularExpressions;
using Fhir.Phr.Import.Csv;

namespace Fhir.Phr.Import.Documents;

/// <summary>Dates as letters and reports write them: ISO, numeric with the sender's day/month order, or with the month's English name.</summary>
internal static partial class DocumentDates
{
    private static readonly string[] Months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"];

    /// <summary>The first date in <paramref name="text"/> that names a real day, with where it starts; null when there is none.</summary>
    public static (DateOnly Date, int Index)? First(string text, CsvDateOrder order)
    {
        foreach (Match match in Candidate().Matches(text))
        {
            if (TryParse(match.Value, order, out var date))
            {
                return (date, match.Index);
            }
        }

        return null;
    }

    public static IEnumerable<DateOnly> All(string text, CsvDateOrder order)
    {
        foreach (Match match in Candidate().Matches(text))
        {
            if (TryParse(match.Value, order, out var date))
            {
                yield return date;
            }
        }
    }

    public static bool TryParse(string value, CsvDateOrder order, out DateOnly date)
    {
        // Numeric forms follow the CSV reader's rules, so a sender's files and documents read alike.
        if (CsvDates.TryParseDate(value, order, null, out date))
        {
            return true;
        }

        var named = NamedMonth().Match(value);
        if (!named.Success)
        {
            return false;
        }

        var month = Array.IndexOf(Months, named.Groups["month"].Value[..3].ToLowerInvariant()) + 1;
        var day = int.Parse(named.Groups["day"].ValueSpan, CultureInfo.InvariantCulture);
        var year = int.Parse(named.Groups["year"].ValueSpan, CultureInfo.InvariantCulture);
        if (month < 1 || year is < 1 or > 9999 || day < 1 || day > DateTime.DaysInMonth(year, month))
        {
            return false;
        }

        date = new DateOnly(year, month, day);
        return true;
    }

    private const string MonthName = "(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)";

    [GeneratedRegex(
        @"\b(?:[0-9]{4}-[0-9]{2}-[0-9]{2}|[0-9]{1,2}([/.\-])[0-9]{1,2}\1[0-9]{4}|[0-9]{1,2}(?:st|nd|rd|th)?[ \-]" + MonthName + @"\.?[ \-,]+[0-9]{4}|" + MonthName + @"\.? [0-9]{1,2}(?:st|nd|rd|th)?,? [0-9]{4})\b",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Candidate();

    [GeneratedRegex(
        @"^(?:(?<day>[0-9]{1,2})(?:st|nd|rd|th)?[ \-](?<month>" + MonthName + @")\.?[ \-,]+(?<year>[0-9]{4})|(?<month>" + MonthName + @")\.? (?<day>[0-9]{1,2})(?:st|nd|rd|th)?,? (?<year>[0-9]{4}))$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NamedMonth();
}

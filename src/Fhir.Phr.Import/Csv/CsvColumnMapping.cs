using System.Text.Json;

namespace Fhir.Phr.Import.Csv;

/// <summary>
/// Names the columns of a layout that header recognition does not know, for example
/// <c>{ "identifier": "Hospital No", "family": "Surname", "birthDate": "DOB", "dateFormat": "dd.MM.yyyy" }</c>.
/// A mapped field is read from the named column only; fields the mapping leaves out are still recognised by their headers.
/// </summary>
public sealed class CsvColumnMapping
{
    private CsvColumnMapping(IReadOnlyDictionary<string, string> columns, string? dateFormat)
    {
        Columns = columns;
        DateFormat = dateFormat;
    }

    /// <summary>Field key (identifier, given, middle, family, name, birthDate, gender, phone, email, addressLine1, addressLine2, city,
    /// state, postalCode, country, fileName, type, date, title, description, contentType) -> header as written in the file.</summary>
    public IReadOnlyDictionary<string, string> Columns { get; }

    /// <summary>A .NET custom date format (such as dd.MM.yyyy) tried before ISO yyyy-MM-dd for every date in the file.</summary>
    public string? DateFormat { get; }

    internal IEnumerable<(CsvColumn Column, string Key, string Header)> Resolved =>
        Columns.Select(c => (CsvColumnNames.MappingKeys[CsvColumnNames.Normalise(c.Key)], c.Key, c.Value));

    /// <summary>Reads a mapping from JSON; on failure <paramref name="issue"/> says what is wrong, and nothing is thrown.</summary>
    public static bool TryParse(string json, out CsvColumnMapping? mapping, out CsvIssue? issue)
    {
        ArgumentNullException.ThrowIfNull(json);
        mapping = null;
        issue = null;
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json, new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            issue = Invalid($"the column mapping is not valid JSON: {e.Message}");
            return false;
        }

        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                issue = Invalid("the column mapping must be a JSON object of field name to column header");
                return false;
            }

            var columns = new Dictionary<string, string>(StringComparer.Ordinal);
            var seen = new HashSet<CsvColumn>();
            string? dateFormat = null;
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (property.Value.ValueKind != JsonValueKind.String || string.IsNullOrWhiteSpace(property.Value.GetString()))
                {
                    issue = Invalid($"'{property.Name}' must be a non-empty string");
                    return false;
                }

                var value = property.Value.GetString()!.Trim();
                if (string.Equals(property.Name, "dateFormat", StringComparison.OrdinalIgnoreCase))
                {
                    if (!IsUsableDateFormat(value))
                    {
                        issue = Invalid($"dateFormat '{value}' is not a date format with a day, a month and a year (such as dd.MM.yyyy)");
                        return false;
                    }

                    dateFormat = value;
                    continue;
                }

                if (!CsvColumnNames.MappingKeys.TryGetValue(CsvColumnNames.Normalise(property.Name), out var column))
                {
                    issue = Invalid($"'{property.Name}' is not a field; use one of identifier, given, middle, family, name, birthDate, gender, phone, email, "
                        + "addressLine1, addressLine2, city, state, postalCode, country, fileName, type, date, title, description, contentType, dateFormat");
                    return false;
                }

                if (!seen.Add(column))
                {
                    issue = Invalid($"'{property.Name}' maps a field that another key already maps");
                    return false;
                }

                columns[property.Name] = value;
            }

            mapping = new CsvColumnMapping(columns, dateFormat);
            return true;
        }
    }

    private static CsvIssue Invalid(string message) => new(CsvIssueCode.InvalidMapping, CsvIssueSeverity.Error, 0, null, message);

    /// <summary>A format without d, M and y would accept values that do not name one day; one that throws is no format at all.</summary>
    private static bool IsUsableDateFormat(string format)
    {
        if (!format.Contains('d', StringComparison.Ordinal) || !format.Contains('M', StringComparison.Ordinal) || !format.Contains('y', StringComparison.Ordinal))
        {
            return false;
        }

        try
        {
            _ = new DateTime(2001, 2, 3, 0, 0, 0, DateTimeKind.Unspecified).ToString(format, System.Globalization.CultureInfo.InvariantCulture);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}

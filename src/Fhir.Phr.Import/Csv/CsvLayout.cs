using System.Collections.Frozen;

namespace Fhir.Phr.Import.Csv;

/// <summary>Which column of the file holds which value: from a <see cref="CsvColumnMapping"/> first, then from the header names.</summary>
internal sealed class CsvLayout
{
    private readonly Dictionary<CsvColumn, int> indexes;
    private readonly string[] headers;

    // The columns up to the last one with a name: a separator at the end of the header adds an empty name, not a column.
    private readonly int width;

    private CsvLayout(Dictionary<CsvColumn, int> indexes, string[] headers)
    {
        this.indexes = indexes;
        this.headers = headers;
        width = Array.FindLastIndex(headers, h => h.Length > 0) + 1;
    }

    /// <summary>
    /// Binds the header (the first record) to columns. Returns null, with one error issue, when the file has no header that names
    /// every <paramref name="required"/> group (each group is satisfied by any one of its columns).
    /// </summary>
    public static CsvLayout? TryBind(
        CsvTable table,
        FrozenDictionary<string, CsvColumn> known,
        CsvColumnMapping? mapping,
        IReadOnlyList<(CsvColumn[] AnyOf, string Description)> required,
        List<CsvIssue> issues)
    {
        if (table.Records.Count == 0)
        {
            if (!issues.Any(i => i.Severity == CsvIssueSeverity.Error))
            {
                issues.Add(new CsvIssue(CsvIssueCode.EmptyFile, CsvIssueSeverity.Error, 0, null, "the file holds no header and no rows"));
            }

            return null;
        }

        var header = table.Records[0];
        var names = header.Fields.Select(f => f.Trim()).ToArray();
        var normalised = names.Select(CsvColumnNames.Normalise).ToArray();
        var indexes = new Dictionary<CsvColumn, int>();
        var applicable = known.Values.ToHashSet();
        var warnings = new List<CsvIssue>();

        foreach (var (column, key, mapped) in mapping?.Resolved ?? [])
        {
            if (!applicable.Contains(column))
            {
                warnings.Add(new CsvIssue(CsvIssueCode.MappingFieldNotUsed, CsvIssueSeverity.Warning, header.Line, mapped,
                    $"the mapping names '{key}', which this kind of file does not have; the column is ignored"));
                continue;
            }

            var index = Array.IndexOf(normalised, CsvColumnNames.Normalise(mapped));
            if (index < 0)
            {
                issues.Add(new CsvIssue(CsvIssueCode.MappedColumnNotFound, CsvIssueSeverity.Error, header.Line, mapped,
                    $"the mapping reads '{key}' from column '{mapped}', which the header does not have"));
                return null;
            }

            indexes[column] = index;
        }

        var claimed = indexes.Values.ToHashSet();
        for (var i = 0; i < names.Length; i++)
        {
            if (claimed.Contains(i))
            {
                continue;
            }

            if (!known.TryGetValue(normalised[i], out var column))
            {
                if (names[i].Length > 0)
                {
                    warnings.Add(new CsvIssue(CsvIssueCode.UnrecognisedColumn, CsvIssueSeverity.Warning, header.Line, names[i],
                        "the column is not recognised and is ignored (a column mapping can name it)"));
                }

                continue;
            }

            if (!indexes.TryAdd(column, i) && mapping?.Resolved.Any(m => m.Column == column) != true)
            {
                warnings.Add(new CsvIssue(CsvIssueCode.DuplicateColumn, CsvIssueSeverity.Warning, header.Line, names[i],
                    $"another column, '{names[indexes[column]]}', already holds this value; this one is ignored"));
            }
        }

        // A file whose first line is data, or another kind of file, is one issue: not a warning per column and an error per row.
        var missing = required.Where(r => !r.AnyOf.Any(indexes.ContainsKey)).Select(r => r.Description).ToList();
        if (missing.Count > 0)
        {
            issues.Add(new CsvIssue(CsvIssueCode.NoUsableHeader, CsvIssueSeverity.Error, header.Line, null,
                $"the first line is not a usable header: no column for {string.Join(" or for ", missing)}"));
            return null;
        }

        issues.AddRange(warnings);
        return new CsvLayout(indexes, names);
    }

    public bool Has(CsvColumn column) => indexes.ContainsKey(column);

    /// <summary>The column's value in the record, trimmed; empty when the file has no such column.</summary>
    public string Get(CsvRecord record, CsvColumn column) =>
        indexes.TryGetValue(column, out var index) && index < record.Fields.Length ? record.Fields[index].Trim() : string.Empty;

    /// <summary>The header of the column as written in the file, for issues.</summary>
    public string? HeaderOf(CsvColumn column) => indexes.TryGetValue(column, out var index) ? headers[index] : null;

    /// <summary>Whether a data record can be read: false for an empty row (skipped silently) and for a malformed one (reported).</summary>
    public bool Accepts(CsvRecord record, List<CsvIssue> issues)
    {
        if (record.Fields.All(string.IsNullOrWhiteSpace))
        {
            // Spreadsheets export trailing rows of separators only; they hold nothing to reject.
            return false;
        }

        if (record.Malformed)
        {
            issues.Add(new CsvIssue(CsvIssueCode.MalformedQuoting, CsvIssueSeverity.Error, record.Line, null,
                "the row's quotes are unbalanced or followed by text, so its fields cannot be trusted"));
            return false;
        }

        // Trailing empty fields (a separator at the end of each line, or of the header only) are common and harmless;
        // a missing field or a value under no header shifts values between columns, so the row cannot be trusted.
        var tooFew = record.Fields.Length < width;
        var tooMany = record.Fields.Skip(width).Any(f => !string.IsNullOrWhiteSpace(f));
        if (tooFew || tooMany)
        {
            var fields = record.Fields.Length - Enumerable.Reverse(record.Fields).TakeWhile(string.IsNullOrWhiteSpace).Count();
            issues.Add(new CsvIssue(CsvIssueCode.WrongColumnCount, CsvIssueSeverity.Error, record.Line, null,
                $"the row has {(tooFew ? record.Fields.Length : fields)} fields where the header has {width}"));
            return false;
        }

        return true;
    }
}

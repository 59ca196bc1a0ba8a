using System.Text;
using CsvHelper;

namespace Fhir.Phr.Import.Csv;

/// <summary>One record of the file: where it starts and its fields, unquoted.</summary>
internal sealed record CsvRecord(int Line, string[] Fields, bool Malformed);

/// <summary>The records of a CSV file, decoded and split by CsvHelper; the header is the first record.</summary>
internal sealed class CsvTable
{
    // A record larger than this is hostile or broken (an unclosed quote near the start of a big file); rosters have short rows.
    private const int MaxRecordBytes = 1 << 20;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private CsvTable(IReadOnlyList<CsvRecord> records) => Records = records;

    public IReadOnlyList<CsvRecord> Records { get; }

    public static CsvTable Read(Stream csv, List<CsvIssue> issues)
    {
        using var buffer = new MemoryStream();
        csv.CopyTo(buffer);
        var text = Decode(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), issues);

        var malformedLines = new HashSet<long>();

        // Separator left unset: CsvHelper detects it (comma, semicolon, tab or pipe) from the first lines. No header for CsvHelper:
        // the converters bind the first record themselves (recognition or mapping) and report its line.
        var options = CsvReaderOptions.Default with
        {
            HasHeader = false,
            TrackLineNumbers = true,
            MaxRecordSize = MaxRecordBytes,

            // The message of a record too large to read would otherwise carry up to a megabyte of it into the issue.
            IncludeValuesInExceptions = false,
            OnMalformedRecord = m => malformedLines.Add(m.LineNumber),
        };

        var records = new List<CsvRecord>();
        try
        {
            using var reader = CsvReader.FromText(text, options);
            while (reader.Read())
            {
                var line = (int)Math.Min(reader.LineNumber, int.MaxValue);
                records.Add(new CsvRecord(line, reader.Current.ToArray(), malformedLines.Contains(reader.LineNumber)));
            }
        }
        catch (CsvFormatException e)
        {
            // Past this point the reader cannot tell where records start, so the rest of the file is not guessed at.
            issues.Add(new CsvIssue(CsvIssueCode.MalformedFile, CsvIssueSeverity.Error, (int)Math.Min(e.LineNumber, int.MaxValue), null,
                $"the file could not be read past this point: {e.Message}"));
        }

        return new CsvTable(records);
    }

    /// <summary>A byte order mark decides; without one, UTF-8 if the bytes are valid UTF-8, else Latin-1 (which every byte sequence is).</summary>
    private static string Decode(ReadOnlySpan<byte> bytes, List<CsvIssue> issues)
    {
        if (bytes.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            bytes = bytes[3..];
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return Encoding.Unicode.GetString(bytes[2..]);
        }
        else if (bytes.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return Encoding.BigEndianUnicode.GetString(bytes[2..]);
        }

        try
        {
            return StrictUtf8.GetString(bytes);
        }
        catch (DecoderFallbackException)
        {
            issues.Add(new CsvIssue(CsvIssueCode.EncodingAssumed, CsvIssueSeverity.Warning, 0, null,
                "the file is not valid UTF-8; it was read as Latin-1 (ISO 8859-1)"));
            return Encoding.Latin1.GetString(bytes);
        }
    }
}

using System.Diagnostics.CodeAnalysis;
using System.Text.RegularExpressions;
using Fhir.Phr.Import.Csv;

namespace Fhir.Phr.Import.Documents;

/// <summary>What the converter can tell about a document before reading it: its file name and the metadata its format carries.</summary>
internal sealed record DocumentMetadata(string? FileName, string? Title, string? Subject, DateOnly? Created, bool IsScan);

/// <summary>
/// Reads a document's text the way a clerk would skim it: labelled fields ("MRN:", "Patient ID:", "DOB:", "Date of Service:")
/// for the patient and the date, and the words of its title and body for the kind of document. Every finding carries a
/// confidence: 0.9 for a value behind a specific label, less for generic labels and guesses, and at most 0.3 for scans without
/// text (no OCR, or OCR that read nothing), which are classified from their file name and metadata alone.
/// </summary>
internal static partial class DocumentTextAnalyzer
{
    public const decimal ScanConfidenceCap = 0.3m;

    public const decimal MaxConfidence = 0.95m;

    /// <summary>The minimum score (sum of cue weights) for a kind to be named at all.</summary>
    private const int MinimumKindScore = 3;

    private static readonly string[] Honorifics = ["mr", "mrs", "ms", "miss", "dr", "prof"];

    /// <summary>One compiled pattern per cue phrase, matched at word boundaries.</summary>
    private static readonly Dictionary<string, Regex> CuePatterns = DocumentKinds.All
        .SelectMany(k => k.Cues)
        .Select(c => c.Phrase)
        .Distinct(StringComparer.Ordinal)
        .ToDictionary(p => p, p => new Regex($@"\b{Regex.Escape(p)}\b", RegexOptions.CultureInvariant | RegexOptions.Compiled), StringComparer.Ordinal);

    /// <param name="textConfidence">
    /// How sure the text itself is: 1 for a text layer or a text file, the OCR engine's mean word confidence for text it read.
    /// A value read from OCR text is right only when the rule that found it is right and the characters it stands on were read
    /// right, so its confidence is the rule's times the text's (taken as independent; tesseract's word confidence estimates the
    /// chance that a word was read right, and the values sought are a word or a few). An MRN behind "MRN:" read at 0.93 is thus
    /// 0.84: still linked, but it says a machine read it off a picture. The file's creation date is metadata, not OCR, and keeps
    /// its own confidence.
    /// </param>
    public static DocumentFindings Analyze(string text, DocumentMetadata metadata, CsvDateOrder order, decimal textConfidence = 1m)
    {
        var lines = text.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        var birth = BirthDate(lines, order);
        var created = metadata.Created is { } day ? new Finding<DateOnly>(day, 0.3m, "the file's creation date") : null;
        return new DocumentFindings
        {
            Identifiers = [.. Identifiers(lines).Select(f => Scaled(f, textConfidence))],
            Name = Scaled(Name(lines), textConfidence),
            BirthDate = Scaled(birth, textConfidence),
            DocumentDate = Scaled(DocumentDate(lines, text, birth?.Value, order), textConfidence) ?? created,
            Kind = Scaled(Classify(lines, metadata), textConfidence),
            Title = metadata.Title,
            TextConfidence = textConfidence,
        };
    }

    [return: NotNullIfNotNull(nameof(finding))]
    private static Finding<T>? Scaled<T>(Finding<T>? finding, decimal textConfidence) =>
        finding is null || textConfidence == 1m ? finding : finding with { Confidence = Math.Round(finding.Confidence * textConfidence, 2) };

    private static List<Finding<string>> Identifiers(string[] lines)
    {
        var found = new List<Finding<string>>();
        foreach (var line in lines)
        {
            foreach (Match match in IdentifierField().Matches(line))
            {
                var value = match.Groups["value"].Value.TrimEnd('.', '/', '-');
                if (value.Any(char.IsAsciiDigit) && !found.Any(f => f.Value == value))
                {
                    found.Add(new Finding<string>(value, 0.9m, match.Value.Trim()));
                }
            }
        }

        // Two different numbers behind identifier labels: either could be the one the store knows, so neither is sure.
        return found.Count > 1 ? [.. found.Select(f => f with { Confidence = 0.6m })] : found;
    }

    private static Finding<(string? Family, IReadOnlyList<string> Given)>? Name(string[] lines)
    {
        foreach (var (pattern, confidence) in new[] { (PatientNameField(), 0.85m), (PatientField(), 0.75m), (NameField(), 0.6m) })
        {
            foreach (var line in lines)
            {
                var match = pattern.Match(line);
                if (match.Success && SplitName(match.Groups["value"].Value) is { } name)
                {
                    return new Finding<(string?, IReadOnlyList<string>)>(name, confidence, match.Value.Trim());
                }
            }
        }

        return null;
    }

    /// <summary>"Family, Given Middle" or "Given Middle Family", honorifics dropped; null for anything that does not look like a name.</summary>
    private static (string? Family, IReadOnlyList<string> Given)? SplitName(string value)
    {
        // A label such as "DOB:" or a wide gap ends the name when fields share a line.
        var cut = FieldEnd().Match(value);
        var written = (cut.Success ? value[..cut.Index] : value).Trim().TrimEnd(',', ';');
        var comma = written.IndexOf(',', StringComparison.Ordinal);
        var family = comma > 0 ? written[..comma].Trim() : null;
        var rest = comma > 0 ? written[(comma + 1)..] : written;
        var words = rest.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Where(w => !Honorifics.Contains(w.TrimEnd('.').ToLowerInvariant()))
            .ToList();
        if (family is null && words.Count >= 2)
        {
            family = words[^1];
            words.RemoveAt(words.Count - 1);
        }

        var parts = words.Append(family ?? string.Empty).Where(p => p.Length > 0).ToList();
        if (family is null || words.Count == 0 || parts.Count > 5 || !parts.All(p => NameWord().IsMatch(p)))
        {
            return null;
        }

        return (family, words);
    }

    private static Finding<DateOnly>? BirthDate(string[] lines, CsvDateOrder order)
    {
        foreach (var line in lines)
        {
            var match = BirthField().Match(line);
            if (match.Success && DocumentDates.First(line[(match.Index + match.Length)..], order) is { Index: < 4 } date)
            {
                return new Finding<DateOnly>(date.Date, 0.9m, match.Value.Trim());
            }
        }

        return null;
    }

    /// <summary>The date the text gives the document; null leaves it to the file's metadata.</summary>
    private static Finding<DateOnly>? DocumentDate(string[] lines, string text, DateOnly? birth, CsvDateOrder order)
    {
        foreach (var (pattern, confidence) in new[] { (SpecificDateField(), 0.9m), (GenericDateField(), 0.7m) })
        {
            foreach (var line in lines)
            {
                var match = pattern.Match(line);
                if (match.Success && DocumentDates.First(line[(match.Index + match.Length)..], order) is { Index: < 4 } date)
                {
                    return new Finding<DateOnly>(date.Date, confidence, match.Value.Trim());
                }
            }
        }

        return DocumentDates.All(text, order).Where(d => d != birth).Cast<DateOnly?>().FirstOrDefault() is { } first
            ? new Finding<DateOnly>(first, 0.4m, "the first date in the text")
            : null;
    }

    /// <summary>
    /// Scores each kind by its cues: a cue in the title zone (file name, metadata title and subject, the first three lines) counts
    /// twice its weight once; each occurrence in the body (up to three) counts its weight. Confidence = (best / (best + runner-up))
    /// x (1 - e^(-best / 4)): high when one kind clearly leads on strong evidence, low when kinds compete or evidence is thin.
    /// </summary>
    private static Finding<DocumentKind>? Classify(string[] lines, DocumentMetadata metadata)
    {
        var title = Normalise(string.Join(' ', new[] { FileNameWords(metadata.FileName), metadata.Title, metadata.Subject }.Concat(lines.Take(3)).OfType<string>()));
        var body = Normalise(string.Join(' ', lines));
        var scored = DocumentKinds.All
            .Select(kind =>
            {
                var hits = kind.Cues.Select(cue => (cue.Phrase, Score: Score(cue, title, body))).Where(h => h.Score > 0).ToList();
                return (Kind: kind, Score: hits.Sum(h => h.Score), Cues: hits.Select(h => h.Phrase).ToList());
            })
            .OrderByDescending(s => s.Score)
            .ToList();
        var best = scored[0];
        if (best.Score < MinimumKindScore)
        {
            return null;
        }

        var runnerUp = scored[1].Score;
        // Text read by rules is never certain, so the confidence stops at 0.95.
        var confidence = Math.Min(MaxConfidence, (decimal)(best.Score / (double)(best.Score + runnerUp) * (1 - Math.Exp(-best.Score / 4.0))));
        if (metadata.IsScan)
        {
            confidence = Math.Min(confidence, ScanConfidenceCap);
        }

        return new Finding<DocumentKind>(best.Kind, Math.Round(confidence, 2), string.Join(", ", best.Cues));
    }

    private static int Score((string Phrase, int Weight) cue, string title, string body)
    {
        var pattern = CuePatterns[cue.Phrase];
        var inTitle = pattern.IsMatch(title) ? 2 * cue.Weight : 0;
        var inBody = Math.Min(3, pattern.Count(body)) * cue.Weight;
        return inTitle + inBody;
    }

    private static string Normalise(string text) => WhiteSpace().Replace(text.ToLowerInvariant(), " ");

    private static string? FileNameWords(string? fileName) =>
        fileName is null ? null : Path.GetFileNameWithoutExtension(fileName).Replace('_', ' ').Replace('-', ' ').Replace('.', ' ');

    [GeneratedRegex(@"\b(?:MRN|M\.R\.N\.|Medical\s+Record\s+(?:Number|No\.?|#)|Patient\s+(?:ID|Identifier|Number|No\.?|#)|Hospital\s+(?:Number|No\.?)|Chart\s+(?:Number|No\.?)|Unit\s+Number)\s*[:#]?\s*(?<value>[A-Z0-9][A-Z0-9\-/.]{1,24})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex IdentifierField();

    [GeneratedRegex(@"\bpatient\s+name\s*:\s*(?<value>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PatientNameField();

    [GeneratedRegex(@"\bpatient\s*:\s*(?<value>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PatientField();

    [GeneratedRegex(@"^name\s*:\s*(?<value>.+)$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex NameField();

    [GeneratedRegex(@"\s{2,}|\t|\b(?:DOB|D\.O\.B\.|Date of Birth|Born|MRN|Patient ID|Sex|Gender|Age)\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FieldEnd();

    [GeneratedRegex(@"^[\p{L}][\p{L}'\-.]*$", RegexOptions.CultureInvariant)]
    private static partial Regex NameWord();

    [GeneratedRegex(@"\b(?:date\s+of\s+birth|birth\s*date|DOB|D\.O\.B\.|born)\b\s*[:\-]?\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BirthField();

    [GeneratedRegex(@"\b(?:report\s+date|date\s+of\s+report|date\s+of\s+service|service\s+date|discharge\s+date|date\s+of\s+discharge|exam(?:ination)?\s+date|date\s+of\s+exam(?:ination)?|visit\s+date|date\s+of\s+visit|encounter\s+date|(?:specimen\s+)?collected|collection\s+date|letter\s+date|date\s+of\s+letter)\b\s*[:\-]?\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SpecificDateField();

    [GeneratedRegex(@"(?<!birth\s)\bdate\s*:\s*", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex GenericDateField();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex WhiteSpace();
}

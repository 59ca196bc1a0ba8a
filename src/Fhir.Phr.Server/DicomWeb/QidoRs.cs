using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Imaging;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;
using Microsoft.Extensions.Primitives;

namespace Fhir.Phr.Server.DicomWeb;

/// <summary>
/// QIDO-RS (PS3.18 §10.6) at every level: studies, series and instances, across studies or
/// within one. Candidate studies come from the FHIR ImagingStudy search, so access rules are
/// the FHIR ones; keys the index cannot decide (PatientName wildcards, series and instance
/// keys) are matched on the studies found. <c>includefield</c> adds attributes read from the
/// stored instances themselves.
/// </summary>
internal static class QidoRs
{
    private const string DicomJson = "application/dicom+json";

    /// <summary>Candidate studies one query may examine; beyond it the client must narrow the query.</summary>
    private const int MaxStudies = SearchQueryParser.MaxCount;

    private enum Level
    {
        Study,
        Series,
        Instance,
    }

    // Matching keys we support per PS3.18 Table 10.6.1-5, by keyword (tags are accepted too).
    private static readonly HashSet<string> MatchingKeys =
    [
        "StudyInstanceUID", "AccessionNumber", "PatientID", "PatientName", "StudyDate", "ModalitiesInStudy", "StudyID",
        "SeriesInstanceUID", "Modality", "SeriesNumber", "SOPInstanceUID", "SOPClassUID", "InstanceNumber",
    ];

    private static readonly HashSet<string> ControlKeys = ["limit", "offset", "includefield", "fuzzymatching", "_format"];

    public static void Map(IEndpointRouteBuilder group)
    {
        group.MapGet("/studies", (HttpContext context, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken ct) =>
            SearchAsync(context, Level.Study, null, null, parser, search, store, ct));
        group.MapGet("/series", (HttpContext context, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken ct) =>
            SearchAsync(context, Level.Series, null, null, parser, search, store, ct));
        group.MapGet("/instances", (HttpContext context, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken ct) =>
            SearchAsync(context, Level.Instance, null, null, parser, search, store, ct));
        group.MapGet("/studies/{study}/series", (HttpContext context, string study, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken ct) =>
            SearchAsync(context, Level.Series, study, null, parser, search, store, ct));
        group.MapGet("/studies/{study}/instances", (HttpContext context, string study, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken ct) =>
            SearchAsync(context, Level.Instance, study, null, parser, search, store, ct));
        group.MapGet("/studies/{study}/series/{series}/instances", (HttpContext context, string study, string series, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken ct) =>
            SearchAsync(context, Level.Instance, study, series, parser, search, store, ct));
    }

    private static async Task<IResult> SearchAsync(HttpContext context, Level level, string? study, string? series, SearchQueryParser parser, SearchService search, DicomStore store, CancellationToken cancellationToken)
    {
        var query = Query.Parse(context.Request.Query, out var ignored);
        if (study is not null)
            query.Match["StudyInstanceUID"] = study;
        if (series is not null)
            query.Match["SeriesInstanceUID"] = series;

        var studies = await CandidatesAsync(query, parser, search, cancellationToken);
        if (study is not null && studies.Count == 0)
            throw FhirProblem.NotFound($"Study {study} is not known.");
        var baseUrl = $"{context.Request.Scheme}://{context.Request.Host}{context.Request.PathBase}/dicomweb";
        var rows = new List<(Dictionary<string, object> Attributes, string StudyUid, string? SeriesUid, string? InstanceUid)>();
        foreach (var (imaging, patient) in studies)
        {
            var studyUid = ImagingStudyMapper.GetStudyInstanceUid(imaging);
            if (studyUid is null || !StudyMatches(query, imaging, patient))
                continue;
            if (level == Level.Study)
            {
                rows.Add((StudyAttributes(imaging, patient, studyUid, baseUrl), studyUid, null, null));
                continue;
            }
            foreach (var s in imaging.Series.Where(s => SeriesMatches(query, s)))
            {
                if (level == Level.Series)
                {
                    rows.Add((SeriesAttributes(s, studyUid, baseUrl), studyUid, s.Uid, null));
                    continue;
                }
                foreach (var i in s.Instance.Where(i => InstanceMatches(query, i)))
                    rows.Add((InstanceAttributes(i, s, studyUid, baseUrl), studyUid, s.Uid, i.Uid));
            }
        }
        if (series is not null && rows.Count == 0 && !studies.Any(x => x.Study.Series.Any(s => s.Uid == series)))
            throw FhirProblem.NotFound($"Study {study} has no series {series}.");

        var page = rows.Skip(query.Offset).Take(query.Limit).ToList();
        if (query.IncludeAll || query.IncludeTags.Count > 0)
            await AddIncludedFieldsAsync(page, query, level, studies.Select(x => x.Study).ToList(), store, cancellationToken);
        if (ignored.Count > 0)
            context.Response.Headers.Warning = $"299 fhir-phr \"The following query keys are not supported and were ignored: {string.Join(", ", ignored)}\"";
        if (page.Count == 0)
            return Results.NoContent();
        return Results.Text(JsonSerializer.Serialize(page.Select(r => r.Attributes)), DicomJson, Encoding.UTF8);
    }

    /// <summary>The query's keys, normalised to keywords (PS3.18 §8.3.4: keys by keyword or tag).</summary>
    private sealed class Query
    {
        public Dictionary<string, string> Match { get; } = new(StringComparer.Ordinal);

        public HashSet<string> IncludeTags { get; } = [];

        public bool IncludeAll { get; private set; }

        public int Limit { get; private set; } = 100;

        public int Offset { get; private set; }

        public static Query Parse(IQueryCollection parameters, out List<string> ignored)
        {
            var query = new Query();
            ignored = [];
            foreach (var (name, values) in parameters)
            {
                var value = values.ToString();
                switch (name)
                {
                    case "limit":
                        query.Limit = ParseCount(name, value, 1, SearchQueryParser.MaxCount);
                        continue;
                    case "offset":
                        query.Offset = ParseCount(name, value, 0, int.MaxValue);
                        continue;
                    case "includefield":
                        foreach (var field in SplitFields(values))
                        {
                            if (field == "all")
                                query.IncludeAll = true;
                            else
                                query.IncludeTags.Add(TagOf(field) ?? throw FhirProblem.BadRequest($"includefield '{field}' is neither a DICOM keyword nor a tag.", "includefield"));
                        }
                        continue;
                }
                if (ControlKeys.Contains(name))
                {
                    ignored.Add(name);
                    continue;
                }
                var keyword = KeywordOf(name);
                if (keyword is not null && MatchingKeys.Contains(keyword))
                {
                    if (value.Length > 0)
                        query.Match[keyword] = value;
                }
                else
                {
                    ignored.Add(name);
                }
            }
            return query;
        }

        private static int ParseCount(string name, string value, int min, int max) =>
            int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min
                ? Math.Min(n, max)
                : throw FhirProblem.BadRequest($"{name} '{value}' is not a whole number of at least {min}.", name);

        private static IEnumerable<string> SplitFields(StringValues values) =>
            values.SelectMany(v => (v ?? "").Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
    }

    private static string? KeywordOf(string key) =>
        key.Length == 8 && uint.TryParse(key, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var tag)
            ? DicomDictionary.GetKeyword(new DicomTag((ushort)(tag >> 16), (ushort)(tag & 0xFFFF)))
            : key;

    // "00100010" or "PatientName" -> "00100010" (DICOM JSON attribute names).
    private static string? TagOf(string field)
    {
        if (field.Length == 8 && uint.TryParse(field, NumberStyles.HexNumber, CultureInfo.InvariantCulture, out _))
            return field.ToUpperInvariant();
        return DicomDictionary.TryGetTag(field, out var tag) ? $"{tag.Group:X4}{tag.Element:X4}" : null;
    }

    private static async Task<List<(ImagingStudy Study, Patient? Patient)>> CandidatesAsync(Query query, SearchQueryParser parser, SearchService search, CancellationToken cancellationToken)
    {
        var parameters = new List<KeyValuePair<string, string>>();
        var match = query.Match;
        if (match.TryGetValue("StudyInstanceUID", out var uids))
            parameters.Add(new("identifier", string.Join(',', UidList(uids).Select(u => $"{ImagingStudyMapper.DicomUidSystem}|urn:oid:{u}"))));
        if (match.TryGetValue("AccessionNumber", out var accession) && !HasWildcard(accession))
            parameters.Add(new("identifier", SearchQueryParser.EscapeValue(accession)));
        if (match.TryGetValue("PatientID", out var patientId) && !HasWildcard(patientId))
            parameters.Add(new("patient.identifier", SearchQueryParser.EscapeValue(patientId)));
        if (match.TryGetValue("PatientName", out var name) && LiteralPrefix(name) is { Length: > 0 } prefix)
            parameters.Add(new("patient.name", SearchQueryParser.EscapeValue(prefix)));
        if (match.TryGetValue("StudyDate", out var studyDate))
            parameters.AddRange(DateRange(studyDate));
        foreach (var key in new[] { "ModalitiesInStudy", "Modality" })
        {
            if (match.TryGetValue(key, out var modality))
                parameters.Add(new("modality", string.Join(',', UidList(modality).Select(m => $"{ImagingStudyMapper.DcmSystem}|{m}"))));
        }

        var fhirQuery = parser.Parse("ImagingStudy", parameters, SearchHandling.Strict);
        fhirQuery.Count = MaxStudies;
        fhirQuery.Total = TotalMode.None;
        fhirQuery.Includes.Add(new IncludeSpec("ImagingStudy", "subject", "Patient", false, false));
        var result = await search.SearchAsync(fhirQuery, cancellationToken);
        if (result.HasNext)
        {
            throw FhirProblem.Of(System.Net.HttpStatusCode.BadRequest, OperationOutcome.IssueType.TooCostly,
                $"More than {MaxStudies} studies match; add a more selective key (PatientID, StudyDate, StudyInstanceUID).");
        }
        var patients = result.Included.Where(i => i.ResourceType == "Patient").ToDictionary(p => p.Id, p => (Patient)p.ToPoco());
        return result.Matches.Select(m =>
        {
            var imaging = (ImagingStudy)m.ToPoco();
            patients.TryGetValue(imaging.Subject?.Reference?.Split('/').Last() ?? "", out var patient);
            return (imaging, patient);
        }).ToList();
    }

    private static bool StudyMatches(Query query, ImagingStudy study, Patient? patient)
    {
        var match = query.Match;
        if (match.TryGetValue("AccessionNumber", out var accession) && !Wildcard(accession, AccessionNumber(study)))
            return false;
        if (match.TryGetValue("PatientID", out var patientId) && !(patient?.Identifier.Any(i => Wildcard(patientId, i.Value)) ?? false))
            return false;
        if (match.TryGetValue("PatientName", out var name) && !(patient?.Name.Any(n => Wildcard(name, PersonNameText(n), ignoreCase: true)) ?? false))
            return false;
        if (match.TryGetValue("StudyID", out var studyId) && !Wildcard(studyId, StudyId(study)))
            return false;
        return true;
    }

    private static bool SeriesMatches(Query query, ImagingStudy.SeriesComponent series)
    {
        var match = query.Match;
        if (match.TryGetValue("SeriesInstanceUID", out var uids) && !UidList(uids).Contains(series.Uid))
            return false;
        if (match.TryGetValue("Modality", out var modality) && !UidList(modality).Contains(series.Modality?.Code))
            return false;
        if (match.TryGetValue("SeriesNumber", out var number) && number != series.Number?.ToString(CultureInfo.InvariantCulture))
            return false;
        return true;
    }

    private static bool InstanceMatches(Query query, ImagingStudy.InstanceComponent instance)
    {
        var match = query.Match;
        if (match.TryGetValue("SOPInstanceUID", out var uids) && !UidList(uids).Contains(instance.Uid))
            return false;
        if (match.TryGetValue("SOPClassUID", out var classes) && !UidList(classes).Contains(instance.SopClass?.Code?.Replace("urn:oid:", "", StringComparison.Ordinal)))
            return false;
        if (match.TryGetValue("InstanceNumber", out var number) && number != instance.Number?.ToString(CultureInfo.InvariantCulture))
            return false;
        return true;
    }

    // UID list matching (PS3.4 C.2.2.2.2): values separated by backslash (or comma in URLs).
    private static HashSet<string?> UidList(string value) =>
        value.Split(['\\', ','], StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => (string?)v).ToHashSet();

    private static bool HasWildcard(string value) => value.AsSpan().IndexOfAny('*', '?') >= 0;

    // The literal start of a name pattern, up to the first wildcard or component separator, for the index.
    private static string LiteralPrefix(string pattern)
    {
        var end = pattern.AsSpan().IndexOfAny("*?^=");
        return (end < 0 ? pattern : pattern[..end]).Trim();
    }

    /// <summary>Wild card matching (PS3.4 C.2.2.2.4): <c>*</c> any run of characters, <c>?</c> one.</summary>
    internal static bool Wildcard(string pattern, string? value, bool ignoreCase = false)
    {
        if (value is null)
            return false;
        if (!HasWildcard(pattern))
            return string.Equals(pattern, value, ignoreCase ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
        var regex = "^" + Regex.Escape(pattern).Replace("\\*", ".*", StringComparison.Ordinal).Replace("\\?", ".", StringComparison.Ordinal) + "$";
        var options = RegexOptions.Singleline | RegexOptions.CultureInvariant | (ignoreCase ? RegexOptions.IgnoreCase : RegexOptions.None);
        return Regex.IsMatch(value, regex, options, TimeSpan.FromMilliseconds(100));
    }

    // A FHIR name as a DICOM PN (PS3.5 6.2): family^given^middle^prefix^suffix.
    internal static string PersonNameText(HumanName name)
    {
        var given = name.Given.ToList();
        var parts = new[]
        {
            name.Family ?? "",
            given.FirstOrDefault() ?? "",
            string.Join(' ', given.Skip(1)),
            string.Join(' ', name.Prefix),
            string.Join(' ', name.Suffix),
        };
        return string.Join('^', parts).TrimEnd('^');
    }

    // StudyDate matching (PS3.4 C.2.2.2.5): a date or a range "from-to" with either end open.
    private static IEnumerable<KeyValuePair<string, string>> DateRange(string value)
    {
        static string Iso(string d) => d.Length == 8 && d.All(char.IsAsciiDigit) ? $"{d[..4]}-{d[4..6]}-{d[6..]}" : throw FhirProblem.BadRequest($"StudyDate '{d}' is not YYYYMMDD.", "StudyDate");
        var dash = value.IndexOf('-', StringComparison.Ordinal);
        if (dash < 0)
        {
            yield return new("started", Iso(value));
            yield break;
        }
        if (dash > 0)
            yield return new("started", "ge" + Iso(value[..dash]));
        if (dash < value.Length - 1)
            yield return new("started", "le" + Iso(value[(dash + 1)..]));
    }

    private static string? AccessionNumber(ImagingStudy study) =>
        study.Identifier.FirstOrDefault(i => i.Type?.Coding.Any(c => c.Code == "ACSN") == true)?.Value;

    private static string? StudyId(ImagingStudy study) =>
        study.Identifier.FirstOrDefault(i => i.System != ImagingStudyMapper.DicomUidSystem && i.Type?.Coding.Any(c => c.Code == "ACSN") != true)?.Value;

    // PS3.18 Table 10.6.3-3: the attributes every study result carries.
    private static Dictionary<string, object> StudyAttributes(ImagingStudy study, Patient? patient, string studyUid, string baseUrl) => new()
    {
        ["00080020"] = Value("DA", StudyDate(study.Started)),
        ["00080030"] = Value("TM", StudyTime(study.Started)),
        ["00080050"] = Value("SH", AccessionNumber(study)),
        ["00080061"] = Values("CS", study.Series.Select(s => s.Modality?.Code).Where(m => m is not null).Distinct()),
        ["00080090"] = PersonName(study.Referrer?.Display),
        ["00081030"] = Value("LO", study.Description),
        ["00081190"] = Value("UR", $"{baseUrl}/studies/{studyUid}"),
        ["00100010"] = PersonName(patient?.Name.FirstOrDefault() is { } n ? PersonNameText(n) : null),
        ["00100020"] = Value("LO", patient?.Identifier.FirstOrDefault()?.Value),
        ["00100030"] = Value("DA", patient?.BirthDate?.Replace("-", "", StringComparison.Ordinal)),
        ["00100040"] = Value("CS", patient?.Gender switch { AdministrativeGender.Male => "M", AdministrativeGender.Female => "F", AdministrativeGender.Other => "O", _ => null }),
        ["0020000D"] = Value("UI", studyUid),
        ["00200010"] = Value("SH", StudyId(study)),
        ["00201206"] = Value("IS", study.NumberOfSeries ?? study.Series.Count),
        ["00201208"] = Value("IS", study.NumberOfInstances ?? study.Series.Sum(s => s.Instance.Count)),
    };

    // Table 10.6.3-4 (with the study UID, so results across studies say where they belong).
    private static Dictionary<string, object> SeriesAttributes(ImagingStudy.SeriesComponent s, string studyUid, string baseUrl) => new()
    {
        ["00080060"] = Value("CS", s.Modality?.Code),
        ["0008103E"] = Value("LO", s.Description),
        ["00081190"] = Value("UR", $"{baseUrl}/studies/{studyUid}/series/{s.Uid}"),
        ["0020000D"] = Value("UI", studyUid),
        ["0020000E"] = Value("UI", s.Uid),
        ["00200011"] = Value("IS", s.Number),
        ["00201209"] = Value("IS", s.NumberOfInstances ?? s.Instance.Count),
    };

    // Table 10.6.3-5.
    private static Dictionary<string, object> InstanceAttributes(ImagingStudy.InstanceComponent i, ImagingStudy.SeriesComponent s, string studyUid, string baseUrl) => new()
    {
        ["00080016"] = Value("UI", i.SopClass?.Code?.Replace("urn:oid:", "", StringComparison.Ordinal)),
        ["00080018"] = Value("UI", i.Uid),
        ["00080060"] = Value("CS", s.Modality?.Code),
        ["00081190"] = Value("UR", $"{baseUrl}/studies/{studyUid}/series/{s.Uid}/instances/{i.Uid}"),
        ["0020000D"] = Value("UI", studyUid),
        ["0020000E"] = Value("UI", s.Uid),
        ["00200013"] = Value("IS", i.Number),
    };

    /// <summary>
    /// includefield: attributes not in the result are read from a stored instance — the
    /// instance itself, or the first instance of the series or study — header only.
    /// </summary>
    private static async Task AddIncludedFieldsAsync(List<(Dictionary<string, object> Attributes, string StudyUid, string? SeriesUid, string? InstanceUid)> rows, Query query, Level level, List<ImagingStudy> studies, DicomStore store, CancellationToken cancellationToken)
    {
        var byUid = studies.Where(s => ImagingStudyMapper.GetStudyInstanceUid(s) is not null).ToDictionary(s => ImagingStudyMapper.GetStudyInstanceUid(s)!);
        var headers = new Dictionary<string, JsonElement>();
        foreach (var (attributes, studyUid, seriesUid, instanceUid) in rows)
        {
            if (!query.IncludeAll && query.IncludeTags.All(attributes.ContainsKey))
                continue;
            var sop = instanceUid ?? byUid[studyUid].Series.Where(s => seriesUid is null || s.Uid == seriesUid).SelectMany(s => s.Instance).Select(i => i.Uid).FirstOrDefault();
            if (sop is null)
                continue;
            if (!headers.TryGetValue(sop, out var header))
                headers[sop] = header = Header(await store.RetrieveAsync(studyUid, sop, cancellationToken));
            foreach (var property in header.EnumerateObject())
            {
                if (attributes.ContainsKey(property.Name) || !(query.IncludeAll ? IsLevelAttribute(property.Name, level) : query.IncludeTags.Contains(property.Name)))
                    continue;
                attributes[property.Name] = property.Value;
            }
        }
    }

    // includefield=all adds what describes the result's level, not every attribute of the file:
    // groups 0008 and up, without pixel data, overlays or file meta.
    private static bool IsLevelAttribute(string tag, Level level) =>
        string.CompareOrdinal(tag, "00080000") >= 0 && !tag.StartsWith("7FE0", StringComparison.Ordinal) && !tag.StartsWith("60", StringComparison.Ordinal)
        && (level != Level.Study || string.CompareOrdinal(tag, "00180000") < 0 || tag.StartsWith("0020", StringComparison.Ordinal));

    private static JsonElement Header(byte[] file)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer))
        {
            using var stream = new MemoryStream(file, writable: false);
            DicomJsonWriter.Write(writer, DicomFile.Open(stream, DicomReadOptions.Default with { StopBeforePixelData = true }).Dataset);
        }
        using var document = JsonDocument.Parse(buffer.ToArray());
        return document.RootElement.Clone();
    }

    private static string? StudyDate(string? started) =>
        started is { Length: >= 10 } ? started[..10].Replace("-", "", StringComparison.Ordinal) : null;

    private static string? StudyTime(string? started) =>
        started is { Length: >= 19 } ? started[11..19].Replace(":", "", StringComparison.Ordinal) : null;

    internal static Dictionary<string, object> Value(string vr, object? value) =>
        value is null ? new() { ["vr"] = vr } : new() { ["vr"] = vr, ["Value"] = new[] { value } };

    private static Dictionary<string, object> Values(string vr, IEnumerable<string?> values) =>
        new() { ["vr"] = vr, ["Value"] = values.ToArray() };

    // DICOM JSON person names (PS3.18 F.2.2).
    private static Dictionary<string, object> PersonName(string? alphabetic) =>
        string.IsNullOrEmpty(alphabetic)
            ? new() { ["vr"] = "PN" }
            : new() { ["vr"] = "PN", ["Value"] = new[] { new Dictionary<string, string> { ["Alphabetic"] = alphabetic } } };
}

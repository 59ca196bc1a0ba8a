using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Matching;

/// <summary>A stored patient scored against an incoming one.</summary>
public sealed record PatientCandidate(StoredResource Stored, Patient Patient, MatchScore Score);

/// <summary>The candidates worth showing (weight at or above the review threshold), best first, and the searches that could not run.</summary>
public sealed record PatientMatchResult(IReadOnlyList<PatientCandidate> Candidates, IReadOnlyList<string> SkippedSearches)
{
    /// <summary>
    /// What an automatic import does with the incoming patient (issue #5): one stored patient sharing an identifier, or else
    /// exactly one scoring at or above the link threshold, is linked; several such (identifier or link-grade) go to review,
    /// as does anything between the thresholds; no candidate means a new patient.
    /// </summary>
    public (MatchDecision Decision, PatientCandidate? Linked) Decide()
    {
        var certain = Candidates.Where(c => c.Score.Grade == MatchGrade.Certain).ToList();
        if (certain.Count > 0)
            return certain.Count == 1 ? (MatchDecision.Link, certain[0]) : (MatchDecision.Review, null);
        var links = Candidates.Where(c => c.Score.Decision == MatchDecision.Link).ToList();
        if (links.Count == 1)
            return (MatchDecision.Link, links[0]);
        return Candidates.Count > 0 ? (MatchDecision.Review, null) : (MatchDecision.New, null);
    }
}

/// <summary>
/// Finds stored patients that may be the incoming one (R4 patient-operation-match): candidates come from searches the blind
/// index can answer, and each is scored by <see cref="PatientMatcher"/> after decryption. Only what the caller may search
/// is considered, as every search goes through the access filter.
///
/// The searches: each identifier; then blocking passes as record linkage does them, where a candidate must agree on two of
/// family-name Soundex, given-name Soundex (either in any name part, which catches swapped names) and birth year. One key
/// alone (a common surname, a birth year) matches hundreds of patients in a real store, each of which would be decrypted
/// and scored, and beyond <see cref="CandidatesPerSearch"/> the true one could be cut off; pairs of keys narrow that to a
/// few. When the incoming patient has fewer than two of those keys, the one it has is searched alone.
/// </summary>
public sealed class PatientMatchService(SearchService search, SearchQueryParser parser)
{
    /// <summary>Candidates read per search; a name or birth date shared by more people than this is searched no further.</summary>
    public const int CandidatesPerSearch = 100;

    public Task<PatientMatchResult> MatchAsync(Patient incoming, int count, bool onlyCertainMatches, CancellationToken cancellationToken) =>
        MatchAsync(incoming, count, onlyCertainMatches, stopAtIdentifier: false, cancellationToken);

    /// <param name="stopAtIdentifier">
    /// Return as soon as the identifier searches found a stored patient: the deterministic match decides, and the name and
    /// birth-date searches (which decrypt up to <see cref="CandidatesPerSearch"/> patients each) are not needed.
    /// </param>
    public async Task<PatientMatchResult> MatchAsync(Patient incoming, int count, bool onlyCertainMatches, bool stopAtIdentifier, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        var found = new Dictionary<string, PatientCandidate>(StringComparer.Ordinal);
        var skipped = new List<string>();
        foreach (var criteria in Searches(incoming))
        {
            var name = string.Join("+", criteria.Select(c => c.Key));
            if (stopAtIdentifier && name != "identifier" && found.Count > 0)
                break;
            var query = parser.Parse("Patient", criteria, SearchHandling.Strict);
            query.Count = CandidatesPerSearch;
            query.Total = TotalMode.None;
            SearchResult result;
            try
            {
                result = await search.SearchAsync(query, cancellationToken);
            }
            catch (FhirProblem problem) when (problem.Outcome.Issue.Any(i => i.Code == OperationOutcome.IssueType.TooCostly))
            {
                // Too many patients share this value for it to narrow anything down; the other searches still run.
                skipped.Add(name);
                continue;
            }

            foreach (var stored in result.Matches.Where(m => !found.ContainsKey(m.Id)))
            {
                var patient = (Patient)stored.ToPoco();
                found[stored.Id] = new PatientCandidate(stored, patient, PatientMatcher.Compare(incoming, patient));
            }
        }

        var ranked = found.Values
            .Where(c => c.Score.Weight >= PatientMatcher.ReviewThreshold)
            .OrderByDescending(c => c.Score.Weight)
            .ThenBy(c => c.Stored.Id, StringComparer.Ordinal)
            .ToList();
        if (onlyCertainMatches)
        {
            // R4 Patient-match: with onlyCertainMatches, several possible matches mean none is returned.
            var links = ranked.Where(c => c.Score.Decision == MatchDecision.Link).ToList();
            ranked = links.Count == 1 && ranked.Count(c => c.Score.Weight >= PatientMatcher.ReviewThreshold) == 1 ? links : [];
        }

        return new PatientMatchResult(ranked.Take(count).ToList(), skipped);
    }

    private static IEnumerable<List<KeyValuePair<string, string>>> Searches(Patient incoming)
    {
        foreach (var identifier in incoming.Identifier.Where(i => !string.IsNullOrEmpty(i.Value)))
            yield return [new("identifier", $"{SearchQueryParser.EscapeValue(identifier.System)}|{SearchQueryParser.EscapeValue(identifier.Value)}")];
        // An e-mail address or phone number is nearly as personal as an identifier, and it survives the typos and nicknames
        // that defeat the name keys, so each one alone finds candidates.
        foreach (var telecom in incoming.Telecom.Where(t => !string.IsNullOrWhiteSpace(t.Value)).Take(3))
            yield return [new("telecom", SearchQueryParser.EscapeValue(telecom.Value))];
        var name = incoming.Name.FirstOrDefault();
        var keys = new[] { name?.Family, name?.Given.FirstOrDefault() }
            .Where(p => !string.IsNullOrWhiteSpace(p) && Phonetic.Keys(p).Any())
            .Select(p => new KeyValuePair<string, string>(Phonetic.ParameterCode, SearchQueryParser.EscapeValue(p)))
            .ToList();
        // The year only: a mistyped day or month still finds the candidate (the matcher scores it as near).
        if (incoming.BirthDate is { Length: >= 4 } birthDate)
            keys.Add(new("birthdate", birthDate[..4]));
        if (keys.Count < 2)
        {
            foreach (var key in keys)
                yield return [key];
            yield break;
        }
        for (var i = 0; i < keys.Count; i++)
        {
            for (var j = i + 1; j < keys.Count; j++)
                yield return [keys[i], keys[j]];
        }
    }
}

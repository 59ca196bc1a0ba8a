using System.Collections.Frozen;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Matching;

/// <summary>What to do with an incoming patient given its best candidate (issue #5 "Patient matching").</summary>
public enum MatchDecision
{
    /// <summary>No candidate comes close: create a new patient.</summary>
    New = 1,

    /// <summary>Between the thresholds: a person decides.</summary>
    Review,

    /// <summary>The same identifier, or demographics strong enough: link to the candidate.</summary>
    Link,
}

/// <summary>R4 match-grade (http://hl7.org/fhir/StructureDefinition/match-grade) codes.</summary>
public enum MatchGrade
{
    CertainlyNot = 1,
    Possible,
    Probable,
    Certain,
}

/// <summary>One field's contribution to a match: its weight and why.</summary>
public sealed record MatchEvidence(string Field, double Weight, string Reason);

/// <summary>The comparison of two patients: total weight, the 0..1 score $match reports, grade and decision, and the evidence.</summary>
public sealed record MatchScore(double Weight, double Score, MatchGrade Grade, MatchDecision Decision, IReadOnlyList<MatchEvidence> Evidence);

/// <summary>
/// Compares two Patients the way a Fellegi-Sunter record linker does, with hand-set weights (log-likelihood-like: positive
/// when a field agrees, negative when it disagrees, zero when either side lacks it). Deterministic first: a shared
/// identifier (system and value) is a certain match. Then names (normalised as the search index does: case and accents
/// removed; German umlaut spellings folded; nicknames, typos by Jaro-Winkler, Soundex, and swapped given and family names),
/// birth date (exact, or one typo / day-month swap), sex, address and telecom.
///
/// | field | agrees | near | disagrees |
/// | --- | --- | --- | --- |
/// | family name | +4 | +3 typo (Jaro-Winkler >= 0.9), +2 same Soundex | -3 |
/// | given name | +3 | +2.5 nickname, +2 typo, +0.5 initial | -3 |
/// | given and family swapped | +5 (instead of both) | | |
/// | birth date | +5 | +2 one digit or day/month swapped | -5 |
/// | sex | +0.5 | | -2 |
/// | postal code / first address line | +1.5 / +1 | | -0.5 (people move) |
/// | telecom (any shared phone or e-mail) | +2.5 | | 0 (numbers change) |
/// | identifier of the same system, other value | | | -6 (twins have their own MRNs) |
///
/// Thresholds on the total weight: >= <see cref="LinkThreshold"/> links (grade probable), >= <see cref="ReviewThreshold"/>
/// goes to review (grade possible), below is a new patient (certainly-not under 0). The score is logistic in the weight,
/// 0.5 halfway between the thresholds.
/// </summary>
public static class PatientMatcher
{
    public const double LinkThreshold = 12;
    public const double ReviewThreshold = 6;
    public const string MatchGradeExtension = "http://hl7.org/fhir/StructureDefinition/match-grade";

    private static readonly FrozenDictionary<string, string> Nicknames = BuildNicknames(new Dictionary<string, string[]>
    {
        ["william"] = ["bill", "billy", "will", "willy", "liam"],
        ["robert"] = ["bob", "bobby", "rob", "robbie", "bert"],
        ["elizabeth"] = ["liz", "lizzie", "beth", "betty", "eliza", "elisabeth"],
        ["margaret"] = ["maggie", "meg", "peggy", "greta"],
        ["james"] = ["jim", "jimmy", "jamie"],
        ["john"] = ["jack", "johnny", "jon"],
        ["michael"] = ["mike", "mick", "mikey"],
        ["katherine"] = ["kate", "katie", "kathy", "catherine", "cathy", "kat"],
        ["richard"] = ["rick", "ricky", "dick", "rich"],
        ["thomas"] = ["tom", "tommy"],
        ["joseph"] = ["joe", "joey"],
        ["alexander"] = ["alex", "sasha", "sandy"],
        ["alexandra"] = ["alex", "sasha", "sandra"],
        ["charles"] = ["charlie", "chuck"],
        ["edward"] = ["ed", "eddie", "ted", "ned"],
        ["anthony"] = ["tony"],
        ["daniel"] = ["dan", "danny"],
        ["jennifer"] = ["jen", "jenny"],
        ["patricia"] = ["pat", "patty", "trish"],
        ["susan"] = ["sue", "susie"],
        ["christopher"] = ["chris", "kit"],
        ["nicholas"] = ["nick", "nicky"],
        ["samuel"] = ["sam", "sammy"],
        ["benjamin"] = ["ben", "benny"],
        ["victoria"] = ["vicky", "tori"],
        ["rebecca"] = ["becky", "becca"],
        ["deborah"] = ["debbie", "deb"],
        ["matthew"] = ["matt"],
        ["andrew"] = ["andy", "drew"],
        ["stephen"] = ["steve", "steven"],
        ["timothy"] = ["tim"],
        ["adaeze"] = ["ada"],
        ["johannes"] = ["hans", "jan"],
        ["francisco"] = ["paco", "pancho"],
        ["jose"] = ["pepe"],
    });

    public static MatchScore Compare(Patient incoming, Patient candidate)
    {
        ArgumentNullException.ThrowIfNull(incoming);
        ArgumentNullException.ThrowIfNull(candidate);
        var evidence = new List<MatchEvidence>();
        if (SharedIdentifier(incoming, candidate) is { } shared)
        {
            evidence.Add(new MatchEvidence("identifier", double.PositiveInfinity, $"same identifier {shared}"));
            return new MatchScore(double.PositiveInfinity, 1, MatchGrade.Certain, MatchDecision.Link, evidence);
        }

        CompareIdentifiers(incoming, candidate, evidence);
        CompareNames(incoming.Name.FirstOrDefault(), candidate.Name.FirstOrDefault(), evidence);
        CompareBirthDate(incoming.BirthDate, candidate.BirthDate, evidence);
        CompareSex(incoming.Gender, candidate.Gender, evidence);
        CompareAddress(incoming.Address.FirstOrDefault(), candidate.Address.FirstOrDefault(), evidence);
        CompareTelecom(incoming, candidate, evidence);
        var weight = evidence.Sum(e => e.Weight);
        var score = Math.Round(1 / (1 + Math.Exp(-(weight - ((LinkThreshold + ReviewThreshold) / 2)) / 2)), 3);
        var (grade, decision) = weight switch
        {
            >= LinkThreshold => (MatchGrade.Probable, MatchDecision.Link),
            >= ReviewThreshold => (MatchGrade.Possible, MatchDecision.Review),
            >= 0 => (MatchGrade.Possible, MatchDecision.New),
            _ => (MatchGrade.CertainlyNot, MatchDecision.New),
        };
        return new MatchScore(weight, score, grade, decision, evidence);
    }

    public static string Code(MatchGrade grade) => grade switch
    {
        MatchGrade.Certain => "certain",
        MatchGrade.Probable => "probable",
        MatchGrade.Possible => "possible",
        _ => "certainly-not",
    };

    private static string? SharedIdentifier(Patient a, Patient b)
    {
        foreach (var x in a.Identifier.Where(i => i.System is not null && i.Value is not null))
        {
            if (b.Identifier.Any(y => y.System == x.System && y.Value == x.Value))
                return $"{x.System}|{x.Value}";
        }
        return null;
    }

    // One system assigning two different values means two registrations: usually two people (twins, relatives), though
    // a hospital's own duplicates happen, so this weighs against rather than vetoes.
    private static void CompareIdentifiers(Patient a, Patient b, List<MatchEvidence> evidence)
    {
        var conflicting = a.Identifier.FirstOrDefault(x => x.System is not null && b.Identifier.Any(y => y.System == x.System && y.Value != x.Value));
        if (conflicting is not null)
            evidence.Add(new MatchEvidence("identifier", -6, $"different values in {conflicting.System}"));
    }

    private static void CompareNames(HumanName? a, HumanName? b, List<MatchEvidence> evidence)
    {
        var (familyA, givenA) = Parts(a);
        var (familyB, givenB) = Parts(b);
        if (familyA is null || familyB is null)
            return;
        var family = Family(familyA, familyB);
        var given = givenA is null || givenB is null ? null : Given(givenA, givenB);
        if (family.Weight < 0 && (given?.Weight ?? -1) < 0 && givenA is not null && givenB is not null
            && Family(familyA, givenB).Weight > 0 && Given(givenA, familyB).Weight > 0)
        {
            evidence.Add(new MatchEvidence("name", 5, "given and family names swapped"));
            return;
        }
        evidence.Add(family);
        if (given is not null)
            evidence.Add(given);
    }

    private static MatchEvidence Family(string a, string b)
    {
        if (Folded(a) == Folded(b))
            return new("family", 4, "same family name");
        if (JaroWinkler(a, b) >= 0.9)
            return new("family", 3, "family name differs by a typo");
        if (Search.Phonetic.Keys(a).Intersect(Search.Phonetic.Keys(b)).Any())
            return new("family", 2, "family names sound alike (Soundex)");
        return new("family", -3, "different family names");
    }

    private static MatchEvidence Given(string a, string b)
    {
        if (Folded(a) == Folded(b))
            return new("given", 3, "same given name");
        if (Nicknames.GetValueOrDefault(a, a) == Nicknames.GetValueOrDefault(b, b))
            return new("given", 2.5, "given name and its nickname");
        if (JaroWinkler(a, b) >= 0.9)
            return new("given", 2, "given name differs by a typo");
        if ((a.Length == 1 || b.Length == 1) && a[0] == b[0])
            return new("given", 0.5, "same initial");
        return new("given", -3, "different given names");
    }

    private static (string? Family, string? Given) Parts(HumanName? name)
    {
        if (name is null)
            return (null, null);
        var family = name.Family is { Length: > 0 } f ? BlindIndexer.Normalize(f) : null;
        var given = name.Given.FirstOrDefault() is { Length: > 0 } g ? BlindIndexer.Normalize(g).TrimEnd('.') : null;
        if (family is null && name.Text is { } text && text.Split(' ', StringSplitOptions.RemoveEmptyEntries) is { Length: >= 2 } words)
            return (BlindIndexer.Normalize(words[^1]), BlindIndexer.Normalize(words[0]));
        return (family, given);
    }

    // German spellings without umlauts (Mueller for Müller) are common in transliterated records; the index already drops accents.
    private static string Folded(string normalised) =>
        normalised.Replace("ae", "a", StringComparison.Ordinal).Replace("oe", "o", StringComparison.Ordinal).Replace("ue", "u", StringComparison.Ordinal).Replace("ss", "s", StringComparison.Ordinal).Replace("ß", "s", StringComparison.Ordinal);

    private static void CompareBirthDate(string? a, string? b, List<MatchEvidence> evidence)
    {
        if (a is not { Length: 10 } || b is not { Length: 10 })
            return;
        if (a == b)
            evidence.Add(new("birthDate", 5, "same birth date"));
        else if (a[..4] == b[..4] && a[5..7] == b[8..10] && a[8..10] == b[5..7])
            evidence.Add(new("birthDate", 2, "day and month swapped"));
        else if (a.Zip(b).Count(p => p.First != p.Second) == 1)
            evidence.Add(new("birthDate", 2, "birth dates differ in one digit"));
        else
            evidence.Add(new("birthDate", -5, "different birth dates"));
    }

    private static void CompareSex(AdministrativeGender? a, AdministrativeGender? b, List<MatchEvidence> evidence)
    {
        if (a is null or AdministrativeGender.Unknown || b is null or AdministrativeGender.Unknown)
            return;
        evidence.Add(a == b ? new("gender", 0.5, "same sex") : new("gender", -2, "different sex"));
    }

    private static void CompareAddress(Address? a, Address? b, List<MatchEvidence> evidence)
    {
        if (a is null || b is null)
            return;
        var postalA = a.PostalCode is null ? null : Compact(a.PostalCode);
        var postalB = b.PostalCode is null ? null : Compact(b.PostalCode);
        var lineA = a.Line.FirstOrDefault() is { } la ? BlindIndexer.Normalize(la) : null;
        var lineB = b.Line.FirstOrDefault() is { } lb ? BlindIndexer.Normalize(lb) : null;
        if (postalA is not null && postalB is not null)
            evidence.Add(postalA == postalB ? new("address", 1.5, "same postal code") : new("address", -0.5, "different postal code"));
        if (lineA is not null && lineB is not null && lineA == lineB)
            evidence.Add(new("address", 1, "same street line"));
    }

    private static void CompareTelecom(Patient a, Patient b, List<MatchEvidence> evidence)
    {
        var mine = a.Telecom.Where(t => t.Value is not null).Select(Contact).ToHashSet(StringComparer.Ordinal);
        if (b.Telecom.Where(t => t.Value is not null).Select(Contact).Any(mine.Contains))
            evidence.Add(new("telecom", 2.5, "a shared phone number or e-mail"));
    }

    // Phones compare by their last nine digits, so +44 20 7946 0958 and 020 7946 0958 agree; e-mails case-insensitively.
    private static string Contact(ContactPoint contact)
    {
        var value = contact.Value ?? string.Empty;
        if (contact.System == ContactPoint.ContactPointSystem.Email)
            return value.Trim().ToLowerInvariant();
        var digits = new string(value.Where(char.IsAsciiDigit).ToArray());
        return digits.Length > 9 ? digits[^9..] : digits;
    }

    private static string Compact(string value) => new(value.Where(char.IsLetterOrDigit).Select(char.ToUpperInvariant).ToArray());

    /// <summary>Jaro-Winkler similarity (Winkler 1990), the usual string comparator of record linkage: 1 for equal strings.</summary>
    internal static double JaroWinkler(string a, string b)
    {
        if (a == b)
            return 1;
        if (a.Length == 0 || b.Length == 0)
            return 0;
        var window = Math.Max(0, (Math.Max(a.Length, b.Length) / 2) - 1);
        var matchedA = new bool[a.Length];
        var matchedB = new bool[b.Length];
        var matches = 0;
        for (var i = 0; i < a.Length; i++)
        {
            for (var j = Math.Max(0, i - window); j < Math.Min(b.Length, i + window + 1); j++)
            {
                if (matchedB[j] || a[i] != b[j])
                    continue;
                matchedA[i] = matchedB[j] = true;
                matches++;
                break;
            }
        }
        if (matches == 0)
            return 0;
        var transpositions = 0;
        for (int i = 0, k = 0; i < a.Length; i++)
        {
            if (!matchedA[i])
                continue;
            while (!matchedB[k])
                k++;
            if (a[i] != b[k])
                transpositions++;
            k++;
        }
        var jaro = ((double)matches / a.Length + (double)matches / b.Length + (matches - (transpositions / 2.0)) / matches) / 3;
        var prefix = 0;
        while (prefix < Math.Min(4, Math.Min(a.Length, b.Length)) && a[prefix] == b[prefix])
            prefix++;
        return jaro + (prefix * 0.1 * (1 - jaro));
    }

    // Every name of a group maps to its first (formal) name, so "bill" and "will" both become "william".
    private static FrozenDictionary<string, string> BuildNicknames(Dictionary<string, string[]> groups)
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var (formal, nicknames) in groups)
        {
            map.TryAdd(formal, formal);
            foreach (var nickname in nicknames)
                map.TryAdd(nickname, formal);
        }
        return map.ToFrozenDictionary(StringComparer.Ordinal);
    }
}

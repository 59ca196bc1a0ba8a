using System.Globalization;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Tests.Matching;

/// <summary>One evaluation pair: two records, whether they are the same person, and how the second was made from the first.</summary>
internal sealed record MatchPair(Patient Incoming, Patient Candidate, bool SamePerson, string Kind);

/// <summary>
/// Generates the synthetic evaluation set of issue #5: 120 pairs of records of the same person (typos in either name,
/// nicknames, swapped names, moves, birth-date slips, German umlaut spellings, sparse records, a married name) and 120
/// pairs of different people (strangers, twins, namesakes, parent and child, same birthday). Deterministic (fixed seed), so
/// the measured precision and recall are reproducible. The second record of a same-person pair always comes from another
/// system, so the deterministic identifier rule cannot make the task easy.
/// </summary>
internal static class MatchPairs
{
    private const string HospitalA = "urn:test:hospital-a";
    private const string ClinicB = "urn:test:clinic-b";

    private static readonly string[] Female = ["Elizabeth", "Margaret", "Katherine", "Jennifer", "Patricia", "Susan", "Victoria", "Rebecca", "Deborah", "Alexandra", "Maria", "Adaeze", "Ingrid", "Fatima", "Mei", "Olga", "Sofia", "Hannah", "Amara", "Lucia"];
    private static readonly string[] Male = ["William", "Robert", "James", "Michael", "Richard", "Thomas", "Joseph", "Charles", "Edward", "Anthony", "Daniel", "Christopher", "Nicholas", "Samuel", "Benjamin", "Johannes", "Jose", "Wei", "Tomasz", "Omar"];
    private static readonly string[] Families = ["Smith", "Johnson", "Okafor", "Müller", "Schröder", "Nowak", "Chen", "Garcia", "Lopez", "Berg", "Lind", "Haddad", "Nair", "Reyes", "O'Neill", "Kowalski", "Andersson", "Rossi", "Dubois", "Yilmaz", "Petrov", "Tanaka", "Mensah", "Fischer", "Carter", "Taylor", "Brown", "Wilson", "Martin", "Kim"];
    private static readonly string[] Streets = ["Harbour Road", "Mill Lane", "High Street", "Station Road", "Church Street", "Park Avenue", "Elm Grove", "Oak Drive", "Bridge Street", "Kings Way"];
    private static readonly Dictionary<string, string> Nicknames = new(StringComparer.Ordinal)
    {
        ["Elizabeth"] = "Liz", ["Margaret"] = "Peggy", ["Katherine"] = "Kate", ["Jennifer"] = "Jenny", ["Patricia"] = "Trish", ["Susan"] = "Sue",
        ["Victoria"] = "Vicky", ["Rebecca"] = "Becky", ["Deborah"] = "Debbie", ["Alexandra"] = "Sasha", ["William"] = "Bill", ["Robert"] = "Bob",
        ["James"] = "Jim", ["Michael"] = "Mike", ["Richard"] = "Rick", ["Thomas"] = "Tom", ["Joseph"] = "Joe", ["Charles"] = "Charlie",
        ["Edward"] = "Ted", ["Anthony"] = "Tony", ["Daniel"] = "Danny", ["Christopher"] = "Chris", ["Nicholas"] = "Nick", ["Samuel"] = "Sam",
        ["Benjamin"] = "Ben", ["Johannes"] = "Hans", ["Jose"] = "Pepe", ["Adaeze"] = "Ada",
    };

    private sealed record Person(string Mrn, string Given, string Family, DateOnly Birth, AdministrativeGender Sex, string Line, string Postal, string Phone);

    public static IReadOnlyList<MatchPair> Generate()
    {
        var random = new Random(2026);
        var pairs = new List<MatchPair>();
        string[] sameKinds = ["exact", "family typo", "given typo", "nickname", "swapped names", "moved", "birth day/month swapped", "birth digit typo", "sparse", "umlaut spelling", "typo and moved", "married name"];
        for (var i = 0; i < 120; i++)
        {
            var person = NewPerson(random);
            var kind = sameKinds[i % sameKinds.Length];
            pairs.Add(new MatchPair(Record(person, HospitalA), Record(Variant(person, kind, random), ClinicB, sparse: kind == "sparse"), true, kind));
        }

        string[] otherKinds = ["stranger", "twin", "twin same hospital", "namesake", "parent and child", "same birthday", "stranger same sex"];
        for (var i = 0; i < 120; i++)
        {
            var person = NewPerson(random);
            var kind = otherKinds[i % otherKinds.Length];
            var other = Other(person, kind, random);
            pairs.Add(new MatchPair(Record(person, HospitalA), Record(other, kind == "twin same hospital" ? HospitalA : ClinicB), false, kind));
        }

        return pairs;
    }

    private static Person NewPerson(Random random)
    {
        var sex = random.Next(2) == 0 ? AdministrativeGender.Female : AdministrativeGender.Male;
        return new Person(
            Mrn(random),
            Pick(random, sex == AdministrativeGender.Female ? Female : Male),
            Pick(random, Families),
            new DateOnly(random.Next(1930, 2020), random.Next(1, 13), random.Next(1, 29)),
            sex,
            $"{random.Next(1, 200)} {Pick(random, Streets)}",
            $"{(char)('A' + random.Next(26))}{random.Next(10)} {random.Next(10)}{(char)('A' + random.Next(26))}{(char)('A' + random.Next(26))}",
            $"+44 7{random.Next(100, 999)} {random.Next(100000, 999999)}");
    }

    private static Person Variant(Person p, string kind, Random random) => kind switch
    {
        "exact" => p with { Mrn = Mrn(random) },
        "family typo" => p with { Mrn = Mrn(random), Family = Typo(p.Family, random) },
        "given typo" => p with { Mrn = Mrn(random), Given = Typo(p.Given, random) },
        "nickname" => p with { Mrn = Mrn(random), Given = Nicknames.GetValueOrDefault(p.Given, Typo(p.Given, random)) },
        "swapped names" => p with { Mrn = Mrn(random), Given = p.Family, Family = p.Given },
        "moved" => p with { Mrn = Mrn(random), Line = $"{random.Next(1, 200)} {Pick(random, Streets)}", Postal = "ZZ1 1ZZ", Phone = "+44 7000 000000" },
        "birth day/month swapped" when p.Birth.Day <= 12 && p.Birth.Day != p.Birth.Month => p with { Mrn = Mrn(random), Birth = new DateOnly(p.Birth.Year, p.Birth.Day, p.Birth.Month) },
        "birth day/month swapped" or "birth digit typo" => p with { Mrn = Mrn(random), Birth = p.Birth.AddDays(p.Birth.Day < 20 ? 1 : -1) },
        "sparse" => p with { Mrn = Mrn(random) },
        "umlaut spelling" => p with { Mrn = Mrn(random), Family = p.Family.Contains('ü') || p.Family.Contains('ö') ? p.Family.Replace("ü", "ue", StringComparison.Ordinal).Replace("ö", "oe", StringComparison.Ordinal) : p.Family.ToUpperInvariant() },
        "typo and moved" => p with { Mrn = Mrn(random), Family = Typo(p.Family, random), Line = $"{random.Next(1, 200)} {Pick(random, Streets)}", Postal = "ZZ9 9ZZ" },
        "married name" => p with { Mrn = Mrn(random), Family = Pick(random, Families.Where(f => f != p.Family).ToArray()) },
        _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
    };

    private static Person Other(Person p, string kind, Random random)
    {
        var stranger = NewPerson(random);
        var otherGiven = Pick(random, (p.Sex == AdministrativeGender.Female ? Female : Male).Where(g => g != p.Given).ToArray());
        return kind switch
        {
            "stranger" => stranger,
            "twin" or "twin same hospital" => p with { Mrn = Mrn(random), Given = otherGiven },
            "namesake" => stranger with { Given = p.Given, Family = p.Family, Sex = p.Sex },
            "parent and child" => p with { Mrn = Mrn(random), Given = otherGiven, Birth = p.Birth.AddYears(p.Birth.Year > 1990 ? -random.Next(20, 40) : random.Next(20, 40)) },
            "same birthday" => stranger with { Birth = p.Birth, Sex = p.Sex },
            "stranger same sex" => stranger with { Sex = p.Sex, Given = Pick(random, p.Sex == AdministrativeGender.Female ? Female : Male) },
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }

    private static Patient Record(Person p, string system, bool sparse = false)
    {
        var patient = new Patient
        {
            Identifier = [new Identifier(system, p.Mrn)],
            Name = [new HumanName { Family = p.Family, Given = [p.Given] }],
            BirthDate = p.Birth.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture),
        };
        if (sparse)
            return patient;
        patient.Gender = p.Sex;
        patient.Address = [new Address { Line = [p.Line], PostalCode = p.Postal, City = "Springfield" }];
        patient.Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, ContactPoint.ContactPointUse.Mobile, p.Phone)];
        return patient;
    }

    /// <summary>One keyboard slip: a letter changed, dropped, doubled or two letters swapped (never the first letter).</summary>
    private static string Typo(string word, Random random)
    {
        if (word.Length < 4)
            return word + word[^1];
        var at = random.Next(1, word.Length - 1);
        return random.Next(4) switch
        {
            0 => word[..at] + (char)('a' + random.Next(26)) + word[(at + 1)..],
            1 => word[..at] + word[(at + 1)..],
            2 => word[..at] + word[at] + word[at..],
            _ => word[..at] + word[at + 1] + word[at] + word[(at + 2)..],
        };
    }

    private static string Mrn(Random random) => random.Next(100000, 999999).ToString(CultureInfo.InvariantCulture);

    private static string Pick(Random random, string[] values) => values[random.Next(values.Length)];
}

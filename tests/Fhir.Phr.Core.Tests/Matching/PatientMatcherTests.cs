using Fhir.Phr.Core.Matching;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Tests.Matching;

public sealed class PatientMatcherTests
{
    private static Patient Person(string given, string family, string birthDate, string system = "urn:test:a", string mrn = "1", AdministrativeGender gender = AdministrativeGender.Female) => new()
    {
        Identifier = [new Identifier(system, mrn)],
        Name = [new HumanName { Family = family, Given = [given] }],
        BirthDate = birthDate,
        Gender = gender,
    };

    [Fact]
    public void Compare_SameIdentifier_IsCertainWhateverTheDemographics()
    {
        var score = PatientMatcher.Compare(Person("Ada", "Okafor", "1961-02-14", mrn: "7"), Person("Someone", "Else", "1999-01-01", mrn: "7"));

        Assert.Equal((MatchGrade.Certain, MatchDecision.Link, 1.0), (score.Grade, score.Decision, score.Score));
    }

    [Theory]
    [InlineData("William", "Smith", "Bill", "Smith", 6.5)]
    [InlineData("Jürgen", "Müller", "Jurgen", "Mueller", 7)]
    [InlineData("Katherine", "Okafor", "Katherine", "Okafro", 6)]
    [InlineData("Wei", "Chen", "Chen", "Wei", 5)]
    [InlineData("Maria", "Smith", "Maria", "Smyth", 5)]
    [InlineData("J", "Carter", "James", "Carter", 4.5)]
    public void Compare_NameVariants_WeighAsDocumented(string givenA, string familyA, string givenB, string familyB, double expectedNameWeight)
    {
        var score = PatientMatcher.Compare(Person(givenA, familyA, "1980-01-01"), Person(givenB, familyB, "1980-01-01", "urn:test:b"));

        var nameWeight = score.Evidence.Where(e => e.Field is "family" or "given" or "name").Sum(e => e.Weight);
        Assert.Equal(expectedNameWeight, nameWeight);
    }

    [Theory]
    [InlineData("1980-03-04", "1980-03-04", 5)]
    [InlineData("1980-03-04", "1980-04-03", 2)]
    [InlineData("1980-03-04", "1980-03-05", 2)]
    [InlineData("1980-03-04", "1975-11-20", -5)]
    public void Compare_BirthDates_WeighAsDocumented(string a, string b, double expected)
    {
        var score = PatientMatcher.Compare(Person("Ann", "Lee", a), Person("Ann", "Lee", b, "urn:test:b"));

        Assert.Equal(expected, score.Evidence.Single(e => e.Field == "birthDate").Weight);
    }

    [Fact]
    public void Compare_TwinsFromOneHospital_AreNotLinked()
    {
        var first = Person("Anna", "Berg", "2001-06-01", mrn: "100");
        var second = Person("Hanna", "Berg", "2001-06-01", mrn: "101");
        first.Telecom = second.Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, "+46 8 555 0101")];

        var score = PatientMatcher.Compare(first, second);

        // Anna and Hanna could also be a typo, so a person decides; the hospital's two MRNs keep it from an automatic link.
        Assert.Equal(MatchDecision.Review, score.Decision);
        Assert.Contains(score.Evidence, e => e.Field == "identifier" && e.Weight < 0);
    }

    [Fact]
    public void Compare_StrongDemographicsFromAnotherSystem_Link_AndPartialOnesGoToReview()
    {
        var stored = Person("Adaeze", "Okafor", "1961-02-14");
        stored.Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "ada@example.org")];
        var full = Person("Ada", "Okafor", "1961-02-14", "urn:test:b", "x");
        full.Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "ADA@example.org")];
        var married = Person("Adaeze", "Mensah", "1961-02-14", "urn:test:b", "y");
        married.Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, "ada@example.org")];

        Assert.Equal(MatchDecision.Link, PatientMatcher.Compare(full, stored).Decision);
        Assert.Equal(MatchDecision.Review, PatientMatcher.Compare(married, stored).Decision);
        Assert.Equal(MatchDecision.New, PatientMatcher.Compare(Person("Omar", "Haddad", "1990-01-01", "urn:test:b"), stored).Decision);
    }

    [Theory]
    [InlineData("martha", "marhta", 0.961)]
    [InlineData("dwayne", "duane", 0.840)]
    [InlineData("dixon", "dicksonx", 0.813)]
    [InlineData("abc", "xyz", 0)]
    public void JaroWinkler_MatchesThePublishedExamples(string a, string b, double expected)
    {
        Assert.Equal(expected, PatientMatcher.JaroWinkler(a, b), 3);
    }
}

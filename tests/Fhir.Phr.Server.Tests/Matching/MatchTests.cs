using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Server.Tests.Matching;

/// <summary>`Patient/$match` (R4 patient-operation-match.html); needs `app.MapPatientMatch()` in Program.cs.</summary>
[Collection(ServerCollection.Name)]
public sealed class MatchTests(FhirServerFixture server)
{
    private const string MatchGrade = "http://hl7.org/fhir/StructureDefinition/match-grade";

    // A family name of letters only (Soundex ignores digits), unique to the test.
    private static string UniqueFamily() => "Q" + new string(Guid.NewGuid().ToString("N")[..9].Select(c => (char)('a' + (c % 16))).ToArray());

    private static Patient Person(string system, string mrn, string given, string family, string birthDate) => new()
    {
        Identifier = [new Identifier(system, mrn)],
        Name = [new HumanName { Family = family, Given = [given] }],
        BirthDate = birthDate,
        Gender = AdministrativeGender.Female,
        Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, $"{family}@example.org")],
    };

    private async Task<(HttpStatusCode Status, Bundle? Result)> MatchAsync(Resource body)
    {
        using var http = server.Http();
        using var content = new StringContent(body.ToJson(), Encoding.UTF8);
        content.Headers.ContentType = MediaTypeHeaderValue.Parse("application/fhir+json");
        using var response = await http.PostAsync(new Uri("/Patient/$match", UriKind.Relative), content);
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, response.IsSuccessStatusCode ? new FhirJsonDeserializer().Deserialize<Bundle>(text) : null);
    }

    private static Parameters Input(Patient patient, bool onlyCertain = false) => new Parameters()
        .Add("resource", patient)
        .Add("onlyCertainMatches", new FhirBoolean(onlyCertain));

    [Fact]
    public async Task Match_SamePersonFromAnotherSystemWithATypo_IsTheBestCandidateGradedProbable()
    {
        var family = UniqueFamily();
        var stored = await server.Fhir().CreateAsync(Person("urn:test:hospital-a", TestData.Unique(), "Elizabeth", family, "1970-04-12"));
        // A clerk's typo in the family name and the nickname, but the same birth date and e-mail address.
        var incoming = Person("urn:test:clinic-b", TestData.Unique(), "Liz", family[..^1] + "x", "1970-04-12");
        incoming.Telecom = [new ContactPoint(ContactPoint.ContactPointSystem.Email, null, $"{family}@example.org")];

        var (status, result) = await MatchAsync(Input(incoming));

        Assert.Equal(HttpStatusCode.OK, status);
        var best = result!.Entry[0];
        Assert.Equal(stored!.Id, best.Resource.Id);
        Assert.Equal(Bundle.SearchEntryMode.Match, best.Search.Mode);
        Assert.Equal("probable", best.Search.GetExtensionValue<Code>(MatchGrade).Value);
        Assert.True(best.Search.Score > 0.8m, $"{best.Search.Score}");
    }

    [Fact]
    public async Task Match_SameIdentifier_IsCertainWithScoreOne()
    {
        var mrn = TestData.Unique();
        var stored = await server.Fhir().CreateAsync(Person("urn:test:hospital-a", mrn, "Ann", UniqueFamily(), "1980-01-01"));

        var (_, result) = await MatchAsync(Person("urn:test:hospital-a", mrn, "Someone", UniqueFamily(), "1999-09-09"));

        var entry = Assert.Single(result!.Entry);
        Assert.Equal((stored!.Id, 1m, "certain"), (entry.Resource.Id, entry.Search.Score, entry.Search.GetExtensionValue<Code>(MatchGrade).Value));
    }

    [Fact]
    public async Task Match_OnlyCertainMatchesWithTwoPossibleOnes_ReturnsNone()
    {
        var family = UniqueFamily();
        await server.Fhir().CreateAsync(Person("urn:test:hospital-a", TestData.Unique(), "Maria", family, "1990-05-05"));
        await server.Fhir().CreateAsync(Person("urn:test:hospital-c", TestData.Unique(), "Maria", family, "1990-05-05"));
        var incoming = Person("urn:test:clinic-b", TestData.Unique(), "Maria", family, "1990-05-05");

        var (_, all) = await MatchAsync(Input(incoming));
        var (_, certain) = await MatchAsync(Input(incoming, onlyCertain: true));

        Assert.Equal(2, all!.Entry.Count);
        Assert.Empty(certain!.Entry);
    }

    [Fact]
    public async Task Match_Stranger_GivesNoCandidate()
    {
        var (status, result) = await MatchAsync(Person("urn:test:clinic-b", TestData.Unique(), "Nobody", UniqueFamily(), "1901-01-01"));

        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Empty(result!.Entry);
    }

    [Fact]
    public async Task Match_WithoutAPatient_Returns400()
    {
        var (status, _) = await MatchAsync(new Parameters().Add("count", new Integer(3)));

        Assert.Equal(HttpStatusCode.BadRequest, status);
    }
}

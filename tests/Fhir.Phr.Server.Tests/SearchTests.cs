using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class SearchTests(FhirServerFixture server)
{
    private async Task<Bundle> Search(string query)
    {
        using var http = server.Http();
        using var response = await http.GetAsync(new Uri(query, UriKind.Relative));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return Assert.IsType<Bundle>(await CrudTests.Parse(response));
    }

    private static IEnumerable<string?> Ids(Bundle bundle) =>
        bundle.Entry.Where(e => e.Search?.Mode == Bundle.SearchEntryMode.Match).Select(e => e.Resource.Id);

    [Fact]
    public async Task String_DefaultIsCaseAndAccentInsensitivePrefix()
    {
        var family = TestData.Unique("Müll");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(family));
        var prefix = "mull" + family[4..8];

        var byPrefix = await Search($"/Patient?family={prefix}");
        var byName = await Search($"/Patient?name={family.ToUpperInvariant()}");
        var byGiven = await Search($"/Patient?given=ANN&family={Uri.EscapeDataString(family)}");

        Assert.Equal([patient!.Id], Ids(byPrefix));
        Assert.Equal([patient.Id], Ids(byName));
        Assert.Equal([patient.Id], Ids(byGiven));
    }

    [Fact]
    public async Task Phonetic_MatchesBySoundex()
    {
        var mrn = TestData.Unique("mrn");
        var patient = TestData.Patient(mrn: mrn);
        patient.Name[0].Family = "Smith";

        var created = await server.Fhir().CreateAsync(patient);
        var bySoundex = await Search($"/Patient?phonetic=Smyth&identifier={mrn}");
        var other = await Search($"/Patient?phonetic=Jones&identifier={mrn}");

        Assert.Equal([created!.Id], Ids(bySoundex));
        Assert.Empty(Ids(other));
    }

    [Fact]
    public async Task String_ExactAndContains()
    {
        var family = TestData.Unique("Exact");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(family));

        var exact = await Search($"/Patient?family:exact={family}");
        var wrongCase = await Search($"/Patient?family:exact={family.ToLowerInvariant()}");
        var contains = await Search($"/Patient?family:contains={family[5..12]}");

        Assert.Equal([patient!.Id], Ids(exact));
        Assert.Empty(Ids(wrongCase));
        Assert.Equal([patient.Id], Ids(contains));
    }

    [Fact]
    public async Task Token_SystemAndCodeForms()
    {
        var mrn = TestData.Unique("mrn");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(mrn: mrn));
        const string system = "urn:oid:1.2.36.146.595.217.0.1";

        Assert.Equal([patient!.Id], Ids(await Search($"/Patient?identifier={system}|{mrn}")));
        Assert.Equal([patient.Id], Ids(await Search($"/Patient?identifier={mrn}")));
        Assert.Empty(Ids(await Search($"/Patient?identifier=urn:other|{mrn}")));
        Assert.Empty(Ids(await Search($"/Patient?identifier=|{mrn}")));
        Assert.Contains(patient.Id, Ids(await Search($"/Patient?identifier={system}|&_id={patient.Id}")));
    }

    [Fact]
    public async Task Token_NotAndMissing()
    {
        var family = TestData.Unique("Tok");
        var female = await server.Fhir().CreateAsync(TestData.Patient(family, gender: AdministrativeGender.Female));
        var male = await server.Fhir().CreateAsync(TestData.Patient(family, gender: AdministrativeGender.Male));
        var unknown = TestData.Patient(family);
        unknown.Gender = null;
        var noGender = await server.Fhir().CreateAsync(unknown);

        var notFemale = await Search($"/Patient?family:exact={family}&gender:not=female");
        var missing = await Search($"/Patient?family:exact={family}&gender:missing=true");

        Assert.Equal(new[] { male!.Id, noGender!.Id }.Order(), Ids(notFemale).Order());
        Assert.Equal([noGender.Id], Ids(missing));
        Assert.NotNull(female);
    }

    [Theory]
    [InlineData("1980-05-03", true)]
    [InlineData("1980-05", true)]
    [InlineData("1980", true)]
    [InlineData("eq1980-05-04", false)]
    [InlineData("gt1980-05-02", true)]
    [InlineData("gt1980-05-03", false)]
    [InlineData("lt1980-05-04", true)]
    [InlineData("ge1980-05-03", true)]
    [InlineData("le1980-05-02", false)]
    [InlineData("sa1979-12-31", true)]
    [InlineData("eb1980-06", true)]
    [InlineData("ne1980-05-03", false)]
    [InlineData("ap1980-05-04", true)]
    public async Task Date_PrefixesOnBirthDate(string value, bool matches)
    {
        var family = TestData.Unique("Date");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(family, birthDate: "1980-05-03"));

        var result = await Search($"/Patient?family:exact={family}&birthdate={value}");

        Assert.Equal(matches ? [patient!.Id] : [], Ids(result));
    }

    [Theory]
    [InlineData("2024-03-01", true)]
    [InlineData("2024-03-01T10:00:00Z", true)]
    [InlineData("gt2024-03-01T09:00:00Z", true)]
    [InlineData("lt2024-03-01T09:00:00Z", false)]
    [InlineData("ge2024-03", true)]
    [InlineData("2024-02", false)]
    public async Task Date_OnDocumentDate_UsesPrecisionAsRange(string value, bool matches)
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var doc = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}", "2024-03-01T10:00:00Z"));

        var result = await Search($"/DocumentReference?subject=Patient/{patient.Id}&date={Uri.EscapeDataString(value)}");

        Assert.Equal(matches ? [doc!.Id] : [], Ids(result));
    }

    [Fact]
    public async Task Reference_ByTypeAndId_ById_AndTypeModifier()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var doc = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}"));

        Assert.Equal([doc!.Id], Ids(await Search($"/DocumentReference?subject=Patient/{patient.Id}")));
        Assert.Equal([doc.Id], Ids(await Search($"/DocumentReference?subject={patient.Id}")));
        Assert.Equal([doc.Id], Ids(await Search($"/DocumentReference?subject:Patient={patient.Id}")));
        Assert.Equal([doc.Id], Ids(await Search($"/DocumentReference?patient={patient.Id}")));
    }

    [Fact]
    public async Task Chain_DocumentsOfPatientsByName()
    {
        var family = TestData.Unique("Chain");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(family));
        var doc = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}"));

        var result = await Search($"/DocumentReference?subject:Patient.name={family}");
        var viaPatientParam = await Search($"/DocumentReference?patient.identifier={patient.Identifier[0].Value}");

        Assert.Equal([doc!.Id], Ids(result));
        Assert.Equal([doc.Id], Ids(viaPatientParam));
    }

    [Fact]
    public async Task Has_PatientsWithADocumentOfAType()
    {
        var family = TestData.Unique("Has");
        var withDoc = await server.Fhir().CreateAsync(TestData.Patient(family));
        await server.Fhir().CreateAsync(TestData.Patient(family));
        await server.Fhir().CreateAsync(TestData.Document($"Patient/{withDoc!.Id}", loinc: "11506-3"));

        var result = await Search($"/Patient?family:exact={family}&_has:DocumentReference:subject:type=http://loinc.org|11506-3");

        Assert.Equal([withDoc.Id], Ids(result));
    }

    [Fact]
    public async Task Include_AndRevInclude()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var doc = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}"));
        var study = await server.Fhir().CreateAsync(TestData.Study($"Patient/{patient.Id}"));

        var included = await Search($"/DocumentReference?_id={doc!.Id}&_include=DocumentReference:subject");
        var revIncluded = await Search($"/Patient?_id={patient.Id}&_revinclude=DocumentReference:subject&_revinclude=ImagingStudy:subject");

        Assert.Contains(included.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Include && e.Resource.Id == patient.Id);
        Assert.Equal(new[] { doc.Id, study!.Id }.Order(), revIncluded.Entry.Where(e => e.Search.Mode == Bundle.SearchEntryMode.Include).Select(e => e.Resource.Id).Order());
    }

    [Fact]
    public async Task Sort_OnSeveralKeys_WithDescending()
    {
        var family = TestData.Unique("Sort");
        var a = await server.Fhir().CreateAsync(TestData.Patient(family, birthDate: "1990-01-01", gender: AdministrativeGender.Male));
        var b = await server.Fhir().CreateAsync(TestData.Patient(family, birthDate: "1970-01-01", gender: AdministrativeGender.Female));
        var c = await server.Fhir().CreateAsync(TestData.Patient(family, birthDate: "1980-01-01", gender: AdministrativeGender.Female));

        var byBirthDateDesc = await Search($"/Patient?family:exact={family}&_sort=-birthdate");
        var byGenderThenBirthDate = await Search($"/Patient?family:exact={family}&_sort=gender,birthdate");

        Assert.Equal([a!.Id, c!.Id, b!.Id], Ids(byBirthDateDesc));
        Assert.Equal([b.Id, c.Id, a.Id], Ids(byGenderThenBirthDate));
    }

    [Fact]
    public async Task Paging_NextLinksStayConsistentWhileOthersWrite()
    {
        var family = TestData.Unique("Page");
        var created = new List<string>();
        for (var i = 0; i < 5; i++)
            created.Add((await server.Fhir().CreateAsync(TestData.Patient(family)))!.Id);
        var client = server.Fhir();

        var page = await client.SearchAsync<Patient>(new SearchParams().Where($"family:exact={family}").LimitTo(2));
        var seen = new List<string>();
        var first = true;
        while (page is not null)
        {
            seen.AddRange(page.Entry.Select(e => e.Resource.Id));
            if (first)
            {
                // Writes between pages: a new match and an update that re-versions a seen one.
                await server.Fhir().CreateAsync(TestData.Patient(family));
                await server.Fhir().UpdateAsync((Patient)page.Entry[0].Resource!);
                first = false;
            }
            page = await client.ContinueAsync(page);
        }

        Assert.Equal(created.Order(), seen.Order());
        Assert.Equal(seen.Count, seen.Distinct().Count());
    }

    [Fact]
    public async Task Total_AccurateAndNone_AndSummaryCount()
    {
        var family = TestData.Unique("Total");
        for (var i = 0; i < 3; i++)
            await server.Fhir().CreateAsync(TestData.Patient(family));

        var accurate = await Search($"/Patient?family:exact={family}&_total=accurate&_count=1");
        var none = await Search($"/Patient?family:exact={family}&_total=none");
        var count = await Search($"/Patient?family:exact={family}&_summary=count");

        Assert.Equal(3, accurate.Total);
        Assert.Single(accurate.Entry);
        Assert.Null(none.Total);
        Assert.Equal(3, count.Total);
        Assert.Empty(count.Entry);
    }

    [Fact]
    public async Task PostSearch_WithFormParameters()
    {
        var family = TestData.Unique("Post");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(family));
        using var http = server.Http();

        using var response = await http.PostAsync(new Uri("/Patient/_search", UriKind.Relative), new FormUrlEncodedContent([new("family", family)]));
        var bundle = (Bundle)await CrudTests.Parse(response);

        Assert.Equal([patient!.Id], Ids(bundle));
    }

    [Fact]
    public async Task UnknownParameter_IgnoredWhenLenient_400WhenStrict()
    {
        using var http = server.Http();
        using var strict = new HttpRequestMessage(HttpMethod.Get, "/Patient?nonsense=1");
        strict.Headers.TryAddWithoutValidation("Prefer", "handling=strict");

        var lenient = await Search("/Patient?nonsense=1&_count=1");
        using var refused = await http.SendAsync(strict);

        Assert.Contains(lenient.Entry, e => e.Search.Mode == Bundle.SearchEntryMode.Outcome);
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
    }

    [Theory]
    [InlineData("/Patient?birthdate=notadate")]
    [InlineData("/Patient?gender:exact=female")]
    [InlineData("/Patient?_count=-1")]
    [InlineData("/Patient?_sort=name&_total=maybe")]
    [InlineData("/DocumentReference?subject:Patient.organization.name=x")]
    public async Task BadSearchInput_Returns400OperationOutcome(string url)
    {
        using var http = server.Http();

        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        await CrudTests.Outcome(response);
    }

    [Fact]
    public async Task LastUpdated_AndTag_AndProfileParameters()
    {
        var patient = TestData.Patient();
        var tag = TestData.Unique("tag");
        patient.Meta = new Meta { Tag = [new Coding("urn:phr:test", tag)] };
        var created = await server.Fhir().CreateAsync(patient);

        var byTag = await Search($"/Patient?_tag=urn:phr:test|{tag}");
        var byLastUpdated = await Search($"/Patient?_tag=urn:phr:test|{tag}&_lastUpdated=gt{DateTime.UtcNow.AddMinutes(-5):yyyy-MM-ddTHH:mm:ssZ}");
        var tooLate = await Search($"/Patient?_tag=urn:phr:test|{tag}&_lastUpdated=gt{DateTime.UtcNow.AddMinutes(5):yyyy-MM-ddTHH:mm:ssZ}");

        Assert.Equal([created!.Id], Ids(byTag));
        Assert.Equal([created.Id], Ids(byLastUpdated));
        Assert.Empty(Ids(tooLate));
    }

    [Fact]
    public async Task ProfileSearchParameter_AttachmentTitle_IsSearchable()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var title = TestData.Unique("scan") + ".pdf";
        var doc = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}", title: title));

        var result = await Search($"/DocumentReference?attachment-title={title[..10]}");

        Assert.Equal([doc!.Id], Ids(result));
    }

    [Fact]
    public async Task ElementsOnSearch_MarksSubsetted()
    {
        var family = TestData.Unique("Elem");
        await server.Fhir().CreateAsync(TestData.Patient(family));

        var result = await Search($"/Patient?family:exact={family}&_elements=gender");
        var patient = (Patient)result.Entry[0].Resource;

        Assert.Empty(patient.Name);
        Assert.Contains(patient.Meta.Tag, t => t.Code == "SUBSETTED");
    }

    // Plain JSON bundles carry the stored JSON of each entry as is; every other shape parses it first.
    // Both must say the same: every match and include whole, and a deleted version in history without one.
    [Fact]
    public async Task JsonBundlesCarryTheStoredResources_AsXmlBundlesDo()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient(TestData.Unique("Splice")));
        var kept = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}"));
        var deleted = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient.Id}"));
        await server.Fhir().DeleteAsync($"DocumentReference/{deleted!.Id}");
        var search = $"/Patient?_id={patient.Id}&_revinclude=DocumentReference:subject";
        var history = $"/DocumentReference/{deleted.Id}/_history";

        foreach (var query in new[] { search, $"/DocumentReference?_id={kept!.Id}&_include=DocumentReference:subject", history })
        {
            var json = await Search(query);
            using var http = server.Http();
            var xml = new FhirXmlDeserializer().DeserializeResource(await http.GetStringAsync(new Uri(query + (query.Contains('?') ? "&" : "?") + "_format=xml", UriKind.Relative)));

            Assert.Equal(((Bundle)xml).Entry.Select(e => e.Resource?.ToJson()), json.Entry.Select(e => e.Resource?.ToJson()));
            Assert.Equal(((Bundle)xml).Entry.Select(e => e.FullUrl), json.Entry.Select(e => e.FullUrl));
        }
        var versions = await Search(history);
        Assert.Equal(2, versions.Entry.Count);
        Assert.Null(versions.Entry[0].Resource);
        var found = await Search(search);
        Assert.Equal(patient.Name[0].Family, ((Patient)found.Entry[0].Resource).Name[0].Family);
        Assert.Equal([kept.Id], found.Entry.Where(e => e.Search.Mode == Bundle.SearchEntryMode.Include).Select(e => e.Resource.Id));
    }
}

using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Storage;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;

namespace Fhir.Phr.Core.Tests.Search;

public sealed class SearchIndexerTests
{
    internal static readonly SearchParameterRegistry Registry = new(
        SpecificationSearchParameters.Load(new CachedResolver(ZipSource.CreateValidationSource())), []);

    private static readonly SearchIndexer Indexer = new(Registry);

    [Fact]
    public void Registry_TakesEveryR4ParameterOfTheTypes_FromTheSpecification()
    {
        var expected = ModelInfo.SearchParameters.Where(p => p.Resource == "Patient" && p.Type is not (SearchParamType.Composite or SearchParamType.Special)).Select(p => p.Code);

        Assert.Superset(expected.ToHashSet(), Registry.For("Patient").Select(p => p.Code).ToHashSet());
        Assert.Contains(Registry.For("Patient"), p => p.Code == "_lastUpdated");
        Assert.Contains(Registry.For("ImagingStudy"), p => p.Code == "modality");
    }

    [Fact]
    public void Extract_PatientNamesAreIdentifying_AndGenderIsNot()
    {
        var patient = new Patient
        {
            Name = [new HumanName { Family = "Chalmers", Given = ["Peter"] }],
            Gender = AdministrativeGender.Male,
            BirthDate = "1974-12-25",
            Identifier = [new Identifier("urn:mrn", "12345")],
        };

        var values = Indexer.Extract(patient);

        Assert.Contains(values, v => v.Param == "family" && v.Text == "Chalmers" && v.Identifying);
        Assert.Contains(values, v => v.Param == "name" && v.Text == "Peter" && v.Identifying);
        Assert.Contains(values, v => v.Param == "gender" && v.Code == "male" && !v.Identifying);
        Assert.Contains(values, v => v.Param == "identifier" && v.System == "urn:mrn" && v.Code == "12345" && v.Identifying);
        Assert.Contains(values, v => v.Param == "birthdate" && v.Kind == IndexKind.Date && v.Identifying);
    }

    [Fact]
    public void Extract_ReferencesWithResolveInExpression()
    {
        var doc = new DocumentReference { Subject = new ResourceReference("Patient/p1") };

        var values = Indexer.Extract(doc);

        Assert.Contains(values, v => v.Param == "subject" && v.RefType == "Patient" && v.RefId == "p1");
        Assert.Contains(values, v => v.Param == "patient" && v.RefType == "Patient" && v.RefId == "p1");
    }

    [Fact]
    public void Extract_PeriodBecomesRange()
    {
        var doc = new DocumentReference { Context = new DocumentReference.ContextComponent { Period = new Period(new FhirDateTime("2024-01"), new FhirDateTime("2024-02-03")) } };

        var period = Assert.Single(Indexer.Extract(doc), v => v.Param == "period");

        Assert.Equal(new DateTime(2024, 1, 1, 0, 0, 0, DateTimeKind.Utc), period.Low);
        Assert.Equal(new DateTime(2024, 2, 3, 23, 59, 59, DateTimeKind.Utc).AddTicks(9_999_999), period.High);
    }
}

using System.Net;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class ValidationTests(FhirServerFixture server)
{
    [Fact]
    public async Task Create_PatientWithoutIdentifier_Returns422WithLocation()
    {
        using var http = server.Http();
        var patient = TestData.Patient();
        patient.Identifier.Clear();

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), CrudTests.Json(patient));
        var outcome = await CrudTests.Outcome(response);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Contains(outcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error && i.Expression.Any(e => e.StartsWith("Patient", StringComparison.Ordinal)));
    }

    [Fact]
    public async Task Create_DocumentWithoutContentType_Returns422()
    {
        using var http = server.Http();
        var doc = TestData.Document("Patient/x");
        doc.Content[0].Attachment.ContentType = null;

        using var response = await http.PostAsync(new Uri("/DocumentReference", UriKind.Relative), CrudTests.Json(doc));

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
    }

    [Fact]
    public async Task Create_ImagingStudyWithoutStudyUid_Returns422()
    {
        using var http = server.Http();
        var study = TestData.Study("Patient/x");
        study.Identifier = [new Identifier("urn:other", "123")];

        using var response = await http.PostAsync(new Uri("/ImagingStudy", UriKind.Relative), CrudTests.Json(study));
        var outcome = await CrudTests.Outcome(response);

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
        Assert.Contains(outcome.Issue, i => i.Diagnostics?.Contains("phr-study-uid", StringComparison.Ordinal) == true || i.Details?.Text?.Contains("phr-study-uid", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task Create_BaseRuleViolation_Returns422()
    {
        using var http = server.Http();
        // R4 invariant pat-1: a contact needs a name, telecom, address or organization.
        var patient = TestData.Patient();
        patient.Contact.Add(new Patient.ContactComponent { Gender = AdministrativeGender.Male });

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), CrudTests.Json(patient));

        Assert.Equal((HttpStatusCode)422, response.StatusCode);
    }

    [Fact]
    public async Task ValidateOperation_TypeLevel_ReportsIssuesWithout422()
    {
        using var http = server.Http();
        var patient = TestData.Patient();
        patient.Name.Clear();

        using var bad = await http.PostAsync(new Uri("/Patient/$validate", UriKind.Relative), CrudTests.Json(patient));
        using var good = await http.PostAsync(new Uri("/Patient/$validate", UriKind.Relative), CrudTests.Json(TestData.Patient()));
        var badOutcome = await CrudTests.Outcome(bad);
        var goodOutcome = await CrudTests.Outcome(good);

        Assert.Equal(HttpStatusCode.OK, bad.StatusCode);
        Assert.Contains(badOutcome.Issue, i => i.Severity == OperationOutcome.IssueSeverity.Error);
        Assert.DoesNotContain(goodOutcome.Issue, i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal);
    }

    [Fact]
    public async Task ValidateOperation_InstanceLevel_WithProfileParameter()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();

        using var response = await http.PostAsync(new Uri($"/Patient/{patient!.Id}/$validate?profile=http://fhir-phr.dev/fhir/StructureDefinition/phr-patient", UriKind.Relative), null);
        var outcome = await CrudTests.Outcome(response);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.DoesNotContain(outcome.Issue, i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal);
    }

    [Fact]
    public async Task Metadata_IsGeneratedFromWhatIsSupported()
    {
        using var http = server.Http();
        using var response = await http.GetAsync(new Uri("/metadata", UriKind.Relative));
        var statement = (CapabilityStatement)await CrudTests.Parse(response);

        var rest = statement!.Rest.Single();
        var patient = rest.Resource.Single(r => r.Type == "Patient");
        Assert.Equal(["AuditEvent", "Binary", "DocumentReference", "ImagingStudy", "Patient"], rest.Resource.Select(r => r.Type).Order());
        Assert.Contains(patient.SearchParam, p => p.Name == "birthdate" && p.Type == SearchParamType.Date);
        Assert.Contains(rest.Resource.Single(r => r.Type == "DocumentReference").SearchParam, p => p.Name == "attachment-title");
        Assert.Contains("http://fhir-phr.dev/fhir/StructureDefinition/phr-patient", patient.SupportedProfile);
        Assert.Contains(patient.Operation, o => o.Name == "everything");
        Assert.Contains(rest.Interaction, i => i.Code == CapabilityStatement.SystemRestfulInteraction.Transaction);
        Assert.Contains(rest.SearchParam, p => p.Name == "_lastUpdated");
    }
}

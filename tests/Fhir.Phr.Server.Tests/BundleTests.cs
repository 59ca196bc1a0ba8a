using System.Net;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class BundleTests(FhirServerFixture server)
{
    [Fact]
    public async Task Transaction_ResolvesUrnUuidReferences()
    {
        var patientUrl = "urn:uuid:" + Guid.NewGuid();
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = patientUrl, Resource = TestData.Patient(), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Document(patientUrl), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "DocumentReference" } });

        var response = await server.Fhir().TransactionAsync(bundle);
        var patientId = new ResourceIdentity(response!.Entry[0].Response.Location).Id;
        var docId = new ResourceIdentity(response.Entry[1].Response.Location).Id;
        var doc = await server.Fhir().ReadAsync<DocumentReference>($"DocumentReference/{docId}");

        Assert.Equal(Bundle.BundleType.TransactionResponse, response.Type);
        Assert.StartsWith("201", response.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.Equal($"Patient/{patientId}", doc!.Subject.Reference);
    }

    // An EMR's usual exchange: its patient by the id it chose (create, then update) and a new document
    // pointing at the patient's urn:uuid. Such transactions validate before taking SQLite's write gate.
    [Fact]
    public async Task Transaction_UpdateById_CreatesThenUpdates_AndResolvesItsFullUrl()
    {
        var id = TestData.Unique("emr");
        Bundle Exchange(string family)
        {
            var patientUrl = "urn:uuid:" + Guid.NewGuid();
            var patient = TestData.Patient(family);
            patient.Id = id;
            var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
            bundle.Entry.Add(new Bundle.EntryComponent { FullUrl = patientUrl, Resource = patient, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Patient/{id}" } });
            bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Document(patientUrl), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "DocumentReference" } });
            return bundle;
        }

        var first = await server.Fhir().TransactionAsync(Exchange("First"));
        var second = await server.Fhir().TransactionAsync(Exchange("Second"));
        var patient = await server.Fhir().ReadAsync<Patient>($"Patient/{id}");
        var doc = await server.Fhir().ReadAsync<DocumentReference>(second!.Entry[1].Response.Location);

        Assert.StartsWith("201", first!.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.StartsWith("200", second.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.Equal("2", patient!.Meta.VersionId);
        Assert.Equal("Second", patient.Name[0].Family);
        Assert.Equal($"Patient/{id}", doc!.Subject.Reference);
    }

    [Fact]
    public async Task Transaction_UpdateWhoseBodyIdDiffersFromItsUrl_Returns400_AndStoresNothing()
    {
        var family = TestData.Unique("Mismatch");
        var patient = TestData.Patient(family);
        patient.Id = TestData.Unique("body");
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Patient(family), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = patient, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PUT, Url = $"Patient/{TestData.Unique("url")}" } });

        var error = await Assert.ThrowsAsync<FhirOperationException>(() => server.Fhir().TransactionAsync(bundle));
        var found = await server.Fhir().SearchAsync<Patient>(new SearchParams().Where($"family:exact={family}"));

        Assert.Equal(HttpStatusCode.BadRequest, error.Status);
        Assert.Empty(found!.Entry);
    }

    [Fact]
    public async Task Transaction_WhoseLastEntryFails_LeavesNothingBehind()
    {
        var family = TestData.Unique("Atomic");
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Patient(family), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Patient(family), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        var invalid = TestData.Patient(family);
        invalid.Identifier.Clear();
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = invalid, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });

        var error = await Assert.ThrowsAsync<FhirOperationException>(() => server.Fhir().TransactionAsync(bundle));
        var found = await server.Fhir().SearchAsync<Patient>(new SearchParams().Where($"family:exact={family}"));

        Assert.Equal((HttpStatusCode)422, error.Status);
        Assert.Empty(found!.Entry);
    }

    [Fact]
    public async Task Transaction_ConditionalReferenceAndIfNoneExist()
    {
        var mrn = TestData.Unique("mrn");
        var existing = await server.Fhir().CreateAsync(TestData.Patient(mrn: mrn));
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = TestData.Patient(mrn: mrn),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient", IfNoneExist = $"identifier={mrn}" },
        });
        bundle.Entry.Add(new Bundle.EntryComponent
        {
            Resource = TestData.Document($"Patient?identifier={mrn}"),
            Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "DocumentReference" },
        });

        var response = await server.Fhir().TransactionAsync(bundle);
        var docId = new ResourceIdentity(response!.Entry[1].Response.Location).Id;
        var doc = await server.Fhir().ReadAsync<DocumentReference>($"DocumentReference/{docId}");

        Assert.StartsWith("200", response.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.Equal($"Patient/{existing!.Id}", doc!.Subject.Reference);
    }

    [Fact]
    public async Task Transaction_ProcessesDeleteBeforeCreate_AndGetLast()
    {
        var client = server.Fhir();
        var doomed = await client.CreateAsync(TestData.Patient());
        var family = TestData.Unique("Order");
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = $"Patient?family:exact={family}" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Patient(family), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.DELETE, Url = $"Patient/{doomed!.Id}" } });

        var response = await client.TransactionAsync(bundle);
        var searchResult = (Bundle)response!.Entry[0].Resource;

        Assert.Single(searchResult.Entry);
        Assert.StartsWith("204", response.Entry[2].Response.Status, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Batch_RunsEntriesIndependently()
    {
        var bundle = new Bundle { Type = Bundle.BundleType.Batch };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = TestData.Patient(), Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.POST, Url = "Patient" } });
        bundle.Entry.Add(new Bundle.EntryComponent { Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.GET, Url = "Patient/not-there" } });

        var response = await server.Fhir().TransactionAsync(bundle);

        Assert.Equal(Bundle.BundleType.BatchResponse, response!.Type);
        Assert.StartsWith("201", response.Entry[0].Response.Status, StringComparison.Ordinal);
        Assert.StartsWith("404", response.Entry[1].Response.Status, StringComparison.Ordinal);
        Assert.IsType<OperationOutcome>(response.Entry[1].Response.Outcome);
    }

    [Fact]
    public async Task Transaction_PatchEntryWithFhirPathPatch()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var patch = new Parameters();
        patch.Parameter.Add(new Parameters.ParameterComponent
        {
            Name = "operation",
            Part =
            [
                new Parameters.ParameterComponent { Name = "type", Value = new Code("replace") },
                new Parameters.ParameterComponent { Name = "path", Value = new FhirString("Patient.birthDate") },
                new Parameters.ParameterComponent { Name = "value", Value = new Date("1999-09-09") },
            ],
        });
        var bundle = new Bundle { Type = Bundle.BundleType.Transaction };
        bundle.Entry.Add(new Bundle.EntryComponent { Resource = patch, Request = new Bundle.RequestComponent { Method = Bundle.HTTPVerb.PATCH, Url = $"Patient/{patient!.Id}" } });

        await server.Fhir().TransactionAsync(bundle);
        var read = await server.Fhir().ReadAsync<Patient>($"Patient/{patient.Id}");

        Assert.Equal("1999-09-09", read!.BirthDate);
        Assert.Equal("2", read.Meta.VersionId);
    }

    [Fact]
    public async Task PostBundle_OfWrongType_Returns400()
    {
        using var http = server.Http();
        var bundle = new Bundle { Type = Bundle.BundleType.Collection };

        using var response = await http.PostAsync(new Uri("/", UriKind.Relative), CrudTests.Json(bundle));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }

    [Fact]
    public async Task Everything_ReturnsPatientAndCompartment()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        var doc = await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}"));
        var study = await server.Fhir().CreateAsync(TestData.Study($"Patient/{patient.Id}"));
        var other = await server.Fhir().CreateAsync(TestData.Document($"Patient/{(await server.Fhir().CreateAsync(TestData.Patient()))!.Id}"));
        using var http = server.Http();

        using var response = await http.GetAsync(new Uri($"/Patient/{patient.Id}/$everything", UriKind.Relative));
        var bundle = (Bundle)await CrudTests.Parse(response);
        var ids = bundle.Entry.Select(e => e.Resource.Id).ToList();

        Assert.Equal(new[] { patient.Id, doc!.Id, study!.Id }.Order(), ids.Order());
        Assert.DoesNotContain(other!.Id, ids);
    }
}

[Collection(ServerCollection.Name)]
public sealed class SeedTests(FhirServerFixture server)
{
    [Fact]
    public async Task SampleData_IsSeededOnce_WithDocumentLinkedToPatient()
    {
        var patients = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", "urn:oid:1.2.36.146.595.217.0.1|MRN-1001").Include("Patient:link"));
        var documents = await server.Fhir().SearchAsync<DocumentReference>(new SearchParams().Add("patient.identifier", "MRN-1001"));

        var patient = Assert.Single(patients!.Entry).Resource;
        var document = (DocumentReference)Assert.Single(documents!.Entry).Resource;
        Assert.Equal($"Patient/{patient.Id}", document.Subject.Reference);
    }
}

using Fhir.Phr.Core.Patching;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Tests.Patching;

/// <summary>FHIRPath Patch semantics beyond the HL7 cases (fhirpatch.html operation table).</summary>
public sealed class FhirPathPatchTests
{
    private static Patient NewPatient() => new()
    {
        Id = "p1",
        BirthDate = "1920-01-01",
        Identifier =
        [
            new Identifier("http://example.org", "1") { Use = Identifier.IdentifierUse.Official },
            new Identifier("http://example.org", "2"),
        ],
    };

    private static Parameters Patch(params (string Name, DataType? Value)[][] operations)
    {
        var parameters = new Parameters();
        foreach (var parts in operations)
        {
            var operation = new Parameters.ParameterComponent { Name = "operation" };
            foreach (var (name, value) in parts)
            {
                operation.Part.Add(new Parameters.ParameterComponent { Name = name, Value = value });
            }

            parameters.Parameter.Add(operation);
        }

        return parameters;
    }

    private static (string, DataType?) Type(string type) => ("type", new Code(type));

    private static (string, DataType?) Path(string path) => ("path", new FhirString(path));

    [Fact]
    public void DeleteWithNoMatch_IsNoOp()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("delete"), Path("Patient.telecom")]));

        Assert.True(result.Succeeded);
        Assert.True(result.Resource.IsExactly(NewPatient()));
    }

    [Fact]
    public void DeleteWithSeveralMatches_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("delete"), Path("Patient.identifier")]));

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.NotApplicable, result.Failure);
        Assert.Contains("selects 2 elements", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.Equal(["Patient.identifier"], result.Outcome.Issue[0].Expression);
    }

    [Fact]
    public void DeleteWithWhere_RemovesTheMatchingListItem()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("delete"), Path("Patient.identifier.where(use = 'official')")]));

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        Assert.Equal("2", Assert.Single(((Patient)result.Resource).Identifier).Value);
    }

    [Fact]
    public void AddToExistingSingleElement_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("add"), Path("Patient"), ("name", new FhirString("birthDate")), ("value", new Date("1930"))]));

        Assert.False(result.Succeeded);
        Assert.Contains("already has a value", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void AddChoiceElement_UsesValueType()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("add"), Path("Patient"), ("name", new FhirString("deceased")), ("value", new FhirBoolean(true))]));

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        Assert.Equal(true, Assert.IsType<FhirBoolean>(((Patient)result.Resource).Deceased).Value);
    }

    [Fact]
    public void AddWrongTypeToChoice_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("add"), Path("Patient"), ("name", new FhirString("deceased")), ("value", new FhirString("yes"))]));

        Assert.False(result.Succeeded);
        Assert.Contains("deceased", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceWithInvalidLiteral_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("replace"), Path("Patient.birthDate"), ("value", new FhirString("not a date"))]));

        Assert.False(result.Succeeded);
        Assert.Contains("not a valid", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void ReplaceWithUnrelatedComplexType_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("replace"), Path("Patient.identifier[0]"), ("value", new CodeableConcept("http://x", "y"))]));

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.NotApplicable, result.Failure);
    }

    [Fact]
    public void InsertIntoEmptyList_Works()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("insert"), Path("Patient.telecom"), ("index", new Integer(0)), ("value", new ContactPoint(ContactPoint.ContactPointSystem.Phone, null, "555"))]));

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        Assert.Equal("555", Assert.Single(((Patient)result.Resource).Telecom).Value);
    }

    [Theory]
    [InlineData("insert", 3)]
    [InlineData("move", 2)]
    public void IndexOutOfRange_Fails(string type, int index)
    {
        var parts = type == "insert"
            ? new[] { Type(type), Path("Patient.identifier"), ("index", new Integer(index)), ("value", (DataType?)new Identifier("s", "v")) }
            : [Type(type), Path("Patient.identifier"), ("source", new Integer(0)), ("destination", new Integer(index))];

        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch(parts));

        Assert.False(result.Succeeded);
        Assert.Contains("out of range", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void MoveOnPartialList_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("move"), Path("Patient.identifier.where(use = 'official')"), ("source", new Integer(0)), ("destination", new Integer(0))]));

        Assert.False(result.Succeeded);
        Assert.Contains("whole list", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void ChangingId_IsRefused()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("replace"), Path("Patient.id"), ("value", new Id("other"))]));

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.InvalidResult, result.Failure);
        Assert.Equal(["Patient.id"], result.Outcome.Issue[0].Expression);
    }

    [Fact]
    public void ReplacingTheResource_Fails()
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("delete"), Path("Patient")]));

        Assert.False(result.Succeeded);
        Assert.Contains("resource itself", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Patient.identifier[")]
    [InlineData("Patient..birthDate")]
    public void InvalidFhirPath_IsMalformed(string path)
    {
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("delete"), Path(path)]));

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.MalformedPatch, result.Failure);
        Assert.Equal(400, result.StatusCode);
    }

    [Fact]
    public void MalformedOperations_AreRejected()
    {
        var unknownType = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("upsert"), Path("Patient")]));
        var missingValue = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("replace"), Path("Patient.birthDate")]));
        var strayPart = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("delete"), Path("Patient.birthDate"), ("index", new Integer(0))]));
        var wrongParameter = PatchEngine.ApplyFhirPathPatch(NewPatient(), new Parameters { Parameter = [new Parameters.ParameterComponent { Name = "op" }] });

        Assert.All([unknownType, missingValue, strayPart, wrongParameter], r => Assert.Equal(PatchFailureKind.MalformedPatch, r.Failure));
    }

    [Fact]
    public void FailureInLaterOperation_LeavesInputAndPatchUnchanged()
    {
        var patient = NewPatient();
        var patch = Patch(
            [Type("replace"), Path("Patient.birthDate"), ("value", new Date("1930"))],
            [Type("replace"), Path("Patient.gender"), ("value", new Code("male"))]);
        var patchBefore = (Parameters)patch.DeepCopy();

        var result = PatchEngine.ApplyFhirPathPatch(patient, patch);

        Assert.False(result.Succeeded);
        Assert.Contains("operation 1 (replace)", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
        Assert.True(patient.IsExactly(NewPatient()));
        Assert.True(patch.IsExactly(patchBefore));
    }

    [Fact]
    public void AddedValue_IsNotSharedWithThePatch()
    {
        var patch = Patch([Type("add"), Path("Patient"), ("name", new FhirString("maritalStatus")), ("value", new CodeableConcept { Text = "married" })]);

        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), patch);
        Assert.True(result.Succeeded);
        var maritalStatus = ((Patient)result.Resource).MaritalStatus;
        Assert.NotNull(maritalStatus);
        maritalStatus.Text = "changed";

        Assert.Equal("married", Assert.IsType<CodeableConcept>(patch.Parameter[0].Part[3].Value).Text);
    }

    [Fact]
    public void AddExtensionToPrimitive_Works()
    {
        var extension = new Extension("http://hl7.org/fhir/StructureDefinition/patient-birthTime", new FhirDateTime("1920-01-01T10:00:00Z"));
        var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch([Type("add"), Path("Patient.birthDate"), ("name", new FhirString("extension")), ("value", extension)]));

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        var birthDate = ((Patient)result.Resource).BirthDateElement;
        Assert.NotNull(birthDate);
        Assert.Single(birthDate.Extension);
    }

    [Theory]
    [InlineData("Patient.gender", "robot")]
    public void ResultThatIsNotValidFhir_IsRefused(string element, string literal)
    {
        var patient = NewPatient();
        patient.Gender = AdministrativeGender.Male;
        patient.Text = new Narrative { Status = Narrative.NarrativeStatus.Generated, Div = "<div xmlns=\"http://www.w3.org/1999/xhtml\">x</div>" };

        var result = PatchEngine.ApplyFhirPathPatch(patient, Patch([Type("replace"), Path(element), ("value", new FhirString(literal))]));

        Assert.False(result.Succeeded, result.Resource?.ToString());
        Assert.Contains(result.Failure, new[] { PatchFailureKind.InvalidResult, PatchFailureKind.NotApplicable });
        Assert.Equal(422, result.StatusCode);
    }

    [Fact]
    public void PrimitiveListItems_CanBeReplacedAndDeleted()
    {
        var patient = NewPatient();
        patient.Name = [new HumanName { Given = ["Peter", "James", "Jim"] }];

        var result = PatchEngine.ApplyFhirPathPatch(patient, Patch(
            [Type("replace"), Path("Patient.name[0].given[1]"), ("value", new FhirString("Jamie"))],
            [Type("delete"), Path("Patient.name[0].given[0]")],
            [Type("move"), Path("Patient.name[0].given"), ("source", new Integer(1)), ("destination", new Integer(0))]));

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        Assert.Equal(["Jim", "Jamie"], ((Patient)result.Resource).Name[0].Given);
    }

    [Fact]
    public void ContainedResource_CanBePatched()
    {
        var patient = NewPatient();
        patient.Contained = [new Organization { Id = "org", Name = "Acme" }];

        var result = PatchEngine.ApplyFhirPathPatch(patient, Patch(
            [Type("replace"), Path("Patient.contained.ofType(Organization).name"), ("value", new FhirString("Acme Health"))]));

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        Assert.Equal("Acme Health", Assert.IsType<Organization>(((Patient)result.Resource).Contained[0]).Name);
        Assert.Equal("Acme", ((Organization)patient.Contained[0]).Name);
    }

    [Fact]
    public async System.Threading.Tasks.Task ConcurrentPatches_AreIndependent()
    {
        var tasks = Enumerable.Range(0, 32).Select(i => System.Threading.Tasks.Task.Run(() =>
        {
            var result = PatchEngine.ApplyFhirPathPatch(NewPatient(), Patch(
                [Type("replace"), Path($"Patient.identifier.where(value = '{(i % 2) + 1}').system"), ("value", new FhirUri($"http://x/{i}"))]));
            Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
            return ((Patient)result.Resource).Identifier[i % 2].System;
        }));

        var systems = await System.Threading.Tasks.Task.WhenAll(tasks);

        Assert.Equal(Enumerable.Range(0, 32).Select(i => $"http://x/{i}"), systems);
    }
}

using System.Text;
using Fhir.Phr.Core.Patching;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Core.Tests.Patching;

/// <summary>JSON Patch applied to FHIR resources through <see cref="PatchEngine.ApplyJsonPatch"/>.</summary>
public sealed class PatchEngineJsonPatchTests
{
    private static Patient NewPatient() => new()
    {
        Id = "p1",
        BirthDate = "1920-01-01",
        Name = [new HumanName { Family = "Chalmers", Given = ["Peter"] }],
    };

    private static PatchResult Apply(Resource resource, string patch) =>
        PatchEngine.ApplyJsonPatch(resource, Encoding.UTF8.GetBytes(patch));

    [Fact]
    public void ReplaceBirthDate_ReturnsPatchedCopy_AndLeavesInputUnchanged()
    {
        var patient = NewPatient();

        var result = Apply(patient, """[{"op":"replace","path":"/birthDate","value":"1930-05-06"}]""");

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        Assert.Equal(200, result.StatusCode);
        var patched = Assert.IsType<Patient>(result.Resource);
        Assert.Equal("1930-05-06", patched.BirthDate);
        Assert.Equal("p1", patched.Id);
        Assert.Equal("Chalmers", patched.Name[0].Family);
        Assert.Equal("1920-01-01", patient.BirthDate);
        Assert.NotSame(patient, patched);
    }

    [Fact]
    public void AddToArrayAndTest_Succeeds()
    {
        var result = Apply(NewPatient(), """
            [
              {"op":"test","path":"/name/0/family","value":"Chalmers"},
              {"op":"add","path":"/name/0/given/-","value":"James"},
              {"op":"add","path":"/telecom","value":[{"system":"phone","value":"555"}]}
            ]
            """);

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
        var patched = (Patient)result.Resource;
        Assert.Equal(["Peter", "James"], patched.Name[0].Given);
        Assert.Equal("555", patched.Telecom[0].Value);
    }

    [Theory]
    [InlineData("""[{"op":"replace","path":"/id","value":"other"}]""")]
    [InlineData("""[{"op":"remove","path":"/id"}]""")]
    [InlineData("""[{"op":"move","from":"/id","path":"/language"}]""")]
    [InlineData("""[{"op":"replace","path":"","value":{"resourceType":"Patient","id":"other"}}]""")]
    public void ChangingId_IsRefused(string patch)
    {
        var result = Apply(NewPatient(), patch);

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.InvalidResult, result.Failure);
        Assert.Equal(422, result.StatusCode);
        var issue = Assert.Single(result.Outcome.Issue);
        Assert.Equal(OperationOutcome.IssueType.Invalid, issue.Code);
        Assert.Contains("id", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Equal(["Patient.id"], issue.Expression);
    }

    [Fact]
    public void TestOnId_IsAllowed()
    {
        var result = Apply(NewPatient(), """[{"op":"test","path":"/id","value":"p1"}]""");

        Assert.True(result.Succeeded, result.Outcome?.Issue[0].Diagnostics);
    }

    [Fact]
    public void ChangingResourceType_IsRefused()
    {
        var result = Apply(NewPatient(), """[{"op":"replace","path":"/resourceType","value":"Practitioner"}]""");

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.InvalidResult, result.Failure);
        Assert.Contains("resourceType", result.Outcome.Issue[0].Diagnostics, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/birthDate","value":5}]""", "birthDate")]
    [InlineData("""[{"op":"add","path":"/notAnElement","value":"x"}]""", "notAnElement")]
    [InlineData("""[{"op":"replace","path":"/birthDate","value":"not a date"}]""", "birthDate")]
    [InlineData("""[{"op":"add","path":"/gender","value":"robot"}]""", "gender")]
    [InlineData("""[{"op":"add","path":"/name/0/given","value":"not-an-array"}]""", "given")]
    public void UnparsableResult_IsInvalidResult_WithParserMessage(string patch, string mentioned)
    {
        var patient = NewPatient();

        var result = Apply(patient, patch);

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.InvalidResult, result.Failure);
        Assert.Equal(422, result.StatusCode);
        Assert.Contains(result.Outcome.Issue, i => i.Diagnostics?.Contains(mentioned, StringComparison.Ordinal) == true);
                Assert.All(result.Outcome.Issue, i => Assert.Equal(OperationOutcome.IssueType.Invalid, i.Code));
        Assert.Contains(result.Outcome.Issue, i => i.Expression.Any(e => e?.Contains(mentioned, StringComparison.Ordinal) == true));
        Assert.Equal("1920-01-01", patient.BirthDate);
    }

    [Theory]
    [InlineData("not json")]
    [InlineData("""{"op":"add","path":"/x","value":1}""")]
    [InlineData("""[{"op":"frobnicate","path":"/birthDate"}]""")]
    [InlineData("""[{"op":"add","path":"birthDate","value":"2000"}]""")]
    [InlineData("""[{"op":"add","path":"/birthDate"}]""")]
    public void MalformedPatch_Is400(string patch)
    {
        var result = Apply(NewPatient(), patch);

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.MalformedPatch, result.Failure);
        Assert.Equal(400, result.StatusCode);
        Assert.Equal(OperationOutcome.IssueType.Invalid, result.Outcome.Issue[0].Code);
    }

    [Fact]
    public void FailedTest_Is422Processing_AndNamesOperationAndPath()
    {
        var result = Apply(NewPatient(), """
            [
              {"op":"replace","path":"/birthDate","value":"1930-01-01"},
              {"op":"test","path":"/name/0/family","value":"Smith"}
            ]
            """);

        Assert.False(result.Succeeded);
        Assert.Equal(PatchFailureKind.NotApplicable, result.Failure);
        Assert.Equal(422, result.StatusCode);
        var issue = Assert.Single(result.Outcome.Issue);
        Assert.Equal(OperationOutcome.IssueType.Processing, issue.Code);
        Assert.Contains("operation 1 (test)", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Contains("/name/0/family", issue.Diagnostics, StringComparison.Ordinal);
        Assert.Contains("\"Chalmers\"", issue.Diagnostics, StringComparison.Ordinal);
    }

    [Fact]
    public void PatchedResource_RoundTripsThroughTheSdk()
    {
        var result = Apply(NewPatient(), """[{"op":"add","path":"/active","value":true}]""");

        Assert.True(result.Succeeded);
        var json = result.Resource.ToJson();
        Assert.Contains("\"active\":true", json, StringComparison.Ordinal);
    }

    [Fact]
    public void EmptyElementLeftByPatch_IsRefused()
    {
        var result = Apply(NewPatient(), """[{"op":"add","path":"/maritalStatus","value":{}}]""");

        Assert.False(result.Succeeded);
        Assert.Contains(result.Outcome.Issue, i => i.Expression.Contains("Patient.maritalStatus"));
    }
}

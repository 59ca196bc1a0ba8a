using Fhir.Phr.Core.Access;

namespace Fhir.Phr.Core.Tests.Access;

/// <summary>SMART App Launch 2.2 scopes-and-launch-context.html: v1 and v2 resource scopes.</summary>
public sealed class SmartScopeTests
{
    [Theory]
    [InlineData("patient/Patient.read", ScopeContext.Patient, "Patient", "rs", true)]
    [InlineData("user/*.*", ScopeContext.User, "*", "cruds", true)]
    [InlineData("user/DocumentReference.write", ScopeContext.User, "DocumentReference", "cud", true)]
    [InlineData("patient/Patient.rs", ScopeContext.Patient, "Patient", "rs", false)]
    [InlineData("system/*.cruds", ScopeContext.System, "*", "cruds", false)]
    [InlineData("user/DocumentReference.c", ScopeContext.User, "DocumentReference", "c", false)]
    [InlineData("patient/ImagingStudy.ds", ScopeContext.Patient, "ImagingStudy", "ds", false)]
    public void Parses(string text, ScopeContext context, string type, string permissions, bool v1)
    {
        Assert.True(SmartScope.TryParse(text, out var scope));
        Assert.Equal(context, scope.Context);
        Assert.Equal(type, scope.ResourceType);
        Assert.Equal(permissions, scope.Permissions);
        Assert.Equal(v1, scope.IsV1);
        Assert.Empty(scope.Filters);
    }

    [Fact]
    public void Parses_GranularFilters()
    {
        Assert.True(SmartScope.TryParse("patient/DocumentReference.rs?category=http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category|clinical-note&type=http%3A%2F%2Floinc.org%7C18842-5", out var scope));

        Assert.Equal(
            [("category", "http://hl7.org/fhir/us/core/CodeSystem/us-core-documentreference-category|clinical-note"), ("type", "http://loinc.org|18842-5")],
            scope.Filters);
        Assert.Equal("patient/DocumentReference.rs?category=http%3A%2F%2Fhl7.org%2Ffhir%2Fus%2Fcore%2FCodeSystem%2Fus-core-documentreference-category%7Cclinical-note&type=http%3A%2F%2Floinc.org%7C18842-5", scope.ToString());
    }

    [Theory]
    [InlineData("openid")]
    [InlineData("launch/patient")]
    [InlineData("offline_access")]
    [InlineData("fhirUser")]
    [InlineData("patient/Patient.sr")]
    [InlineData("patient/Patient.rr")]
    [InlineData("patient/Patient.x")]
    [InlineData("patient/Patient.")]
    [InlineData("doctor/Patient.rs")]
    [InlineData("patient/patient.rs")]
    [InlineData("patient/Patient.read?category=x")]
    [InlineData("patient/Patient.rs?")]
    [InlineData("patient/Patient.rs?category")]
    [InlineData("")]
    public void Rejects(string text) => Assert.False(SmartScope.TryParse(text, out _));

    [Fact]
    public void Grants_MatchesTypeAndLetter()
    {
        Assert.True(SmartScope.TryParse("user/*.rs", out var scope));

        Assert.True(scope.Grants("Binary", 'r'));
        Assert.True(scope.Grants("Patient", 's'));
        Assert.False(scope.Grants("Patient", 'u'));
    }

    [Theory]
    [InlineData("patient/Patient.rs", "Read and search demographics (name, birth date, contact details) of the selected patient")]
    [InlineData("user/DocumentReference.cruds", "Create, read, update, delete and search documents that you can see")]
    [InlineData("patient/DocumentReference.r?category=clinical-note", "Read documents of the selected patient where category is clinical-note")]
    public void Describe_InPlainLanguage(string text, string description)
    {
        Assert.True(SmartScope.TryParse(text, out var scope));

        Assert.Equal(description, scope.Describe());
    }
}

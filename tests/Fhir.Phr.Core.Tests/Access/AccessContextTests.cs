using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;

namespace Fhir.Phr.Core.Tests.Access;

public sealed class AccessContextTests
{
    private static AccessContext For(string[] scopes, string? patient = null, string[]? readable = null, string[]? writable = null)
    {
        var context = new AccessContext();
        context.Authenticate(new Caller("user-1", "app", scopes) { Patient = patient }, new AccountReach((readable ?? []).ToHashSet(), (writable ?? []).ToHashSet(), new HashSet<string>()));
        return context;
    }

    [Fact]
    public void Open_WhenNoCallerWasAuthenticated_AllowsEverything()
    {
        var context = new AccessContext();

        Assert.True(context.IsOpen);
        Assert.True(context.Allows(AccessAction.Delete, "Patient"));
        Assert.Null(context.Reach(AccessAction.Read, "Patient"));
    }

    [Theory]
    [InlineData("patient/Patient.read", AccessAction.Read, "Patient", true)]
    [InlineData("patient/Patient.read", AccessAction.Search, "Patient", true)]
    [InlineData("patient/Patient.read", AccessAction.Update, "Patient", false)]
    [InlineData("patient/Patient.read", AccessAction.Read, "DocumentReference", false)]
    [InlineData("user/*.write", AccessAction.Create, "ImagingStudy", true)]
    [InlineData("user/*.write", AccessAction.Read, "ImagingStudy", false)]
    [InlineData("patient/*.rs", AccessAction.Search, "DocumentReference", true)]
    [InlineData("patient/*.rs", AccessAction.Delete, "DocumentReference", false)]
    [InlineData("system/*.cruds", AccessAction.Delete, "Binary", true)]
    [InlineData("patient/DocumentReference.rs?category=clinical-note", AccessAction.Read, "DocumentReference", true)]
    [InlineData("patient/Patient.sr", AccessAction.Read, "Patient", false)]
    [InlineData("openid", AccessAction.Read, "Patient", false)]
    public void Scopes_AreEnforcedWithSmartSemantics(string scope, AccessAction action, string type, bool allowed)
    {
        var context = For([scope], patient: "p1");

        Assert.Equal(allowed, context.Allows(action, type));
    }

    [Fact]
    public void Demand_WithoutScope_Throws403()
    {
        var context = For(["patient/Patient.rs"], patient: "p1");

        var problem = Assert.Throws<FhirProblem>(() => context.Demand(AccessAction.Delete, "Patient"));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, problem.Status);
    }

    [Fact]
    public void PatientScope_ReachesOnlyTheLaunchPatient()
    {
        var context = For(["patient/*.rs"], patient: "p1", readable: ["p1", "p2"]);

        Assert.Equal(["p1"], context.Reach(AccessAction.Read, "DocumentReference")!);
        Assert.True(context.Allows(AccessAction.Read, "DocumentReference", "p1"));
        Assert.False(context.Allows(AccessAction.Read, "DocumentReference", "p2"));
        Assert.False(context.Allows(AccessAction.Read, "DocumentReference", null));
    }

    [Fact]
    public void UserScope_ReachesSharedRecords_WritesOnlyWhereWriteWasShared()
    {
        var context = For(["user/*.cruds"], readable: ["own", "shared-read", "shared-write"], writable: ["own", "shared-write"]);

        Assert.True(context.Allows(AccessAction.Read, "Patient", "shared-read"));
        Assert.False(context.Allows(AccessAction.Update, "Patient", "shared-read"));
        Assert.True(context.Allows(AccessAction.Update, "Patient", "shared-write"));
        Assert.False(context.Allows(AccessAction.Read, "Patient", "stranger"));
    }

    [Fact]
    public void SystemScope_ReachesEveryRecord_IncludingUnowned()
    {
        var context = For(["system/*.rs", "patient/Patient.rs"], patient: "p1");

        Assert.Null(context.Reach(AccessAction.Read, "Patient"));
        Assert.True(context.Allows(AccessAction.Read, "Binary", null));
    }

    [Fact]
    public void Filters_ApplyOnlyWhenEveryGrantingScopeIsFiltered()
    {
        var filtered = For(["patient/DocumentReference.rs?category=clinical-note", "patient/DocumentReference.rs?type=http://loinc.org|18842-5"], patient: "p1");
        var mixed = For(["patient/DocumentReference.rs?category=clinical-note", "patient/DocumentReference.r"], patient: "p1");

        Assert.Equal(2, filtered.Filters(AccessAction.Read, "DocumentReference").Count);
        Assert.Empty(mixed.Filters(AccessAction.Read, "DocumentReference"));
        Assert.Single(mixed.Filters(AccessAction.Search, "DocumentReference"));
    }
}

using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Errors;

namespace Fhir.Phr.Core.Tests.Access;

public sealed class AccessContextTests
{
    [Fact]
    public void Open_WhenNoTokenWasPresented_AllowsEverything()
    {
        var context = new AccessContext();

        Assert.True(context.IsOpen);
        Assert.True(context.Allows(AccessAction.Delete, "Patient"));
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
    [InlineData("patient/Observation.rs?category=laboratory", AccessAction.Read, "Observation", true)]
    [InlineData("openid", AccessAction.Read, "Patient", false)]
    public void Scopes_AreEnforcedWithSmartSemantics(string scope, AccessAction action, string type, bool allowed)
    {
        var context = new AccessContext();
        context.Authenticate("user-1", [scope], null);

        Assert.Equal(allowed, context.Allows(action, type));
    }

    [Fact]
    public void Demand_WithoutScope_Throws403()
    {
        var context = new AccessContext();
        context.Authenticate("user-1", ["patient/Patient.rs"], "p1");

        var problem = Assert.Throws<FhirProblem>(() => context.Demand(AccessAction.Delete, "Patient"));

        Assert.Equal(System.Net.HttpStatusCode.Forbidden, problem.Status);
    }
}

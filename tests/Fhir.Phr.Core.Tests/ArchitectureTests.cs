namespace Fhir.Phr.Core.Tests;

public sealed class ArchitectureTests
{
    // architecture.md: Core knows nothing of ASP.NET Core, OpenIddict or Hangfire.
    [Theory]
    [InlineData("Microsoft.AspNetCore")]
    [InlineData("OpenIddict")]
    [InlineData("Hangfire")]
    public void Core_DoesNotReference(string forbidden)
    {
        var references = typeof(FhirCoreServiceCollectionExtensions).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.DoesNotContain(references, name => name.StartsWith(forbidden, StringComparison.Ordinal));
    }

    [Fact]
    public void Protection_DependsOnNoOtherProject()
    {
        var references = typeof(Fhir.Phr.Protection.PayloadProtector).Assembly.GetReferencedAssemblies().Select(a => a.Name!);

        Assert.DoesNotContain(references, name => name.StartsWith("Fhir.Phr.", StringComparison.Ordinal) && name != "Fhir.Phr.Abe");
    }
}

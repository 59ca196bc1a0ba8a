using Fhir.Phr.Core.Patching;

namespace Fhir.Phr.Core.Tests.Patching;

/// <summary>One theory case per entry of HL7's json-patch-tests.json.</summary>
public sealed class JsonPatchConformanceTests
{
    public static TheoryData<string> CaseNames => [.. PatchTestData.JsonPatchCases.Value.Keys];

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Case_AppliesAsSpecified(string name)
    {
        var testCase = PatchTestData.JsonPatchCases.Value[name];
        Assert.SkipWhen(testCase.Disabled, "disabled in json-patch-tests.json");
        var docBefore = testCase.Doc?.ToJsonString();

        var outcome = JsonPatch.Apply(testCase.Doc, testCase.Patch);

        // Atomicity: the input document is never touched, whatever the outcome.
        Assert.Equal(docBefore, testCase.Doc?.ToJsonString());
        if (testCase.HasExpected)
        {
            Assert.True(outcome.Succeeded, outcome.Error?.Message);
            Assert.True(
                JsonNodeEquality.DeepEquals(testCase.Expected, outcome.Document),
                $"expected {testCase.Expected?.ToJsonString()}\nactual   {outcome.Document?.ToJsonString()}");
        }
        else
        {
            Assert.False(outcome.Succeeded, $"expected error '{testCase.Error}', got {outcome.Document?.ToJsonString()}");
            Assert.False(string.IsNullOrWhiteSpace(outcome.Error!.Message));
        }
    }
}

using System.Text.Json.Nodes;
using Fhir.Phr.Core.Patching;

namespace Fhir.Phr.Core.Tests.Patching;

/// <summary>RFC 6902 / RFC 6901 details beyond the HL7 cases.</summary>
public sealed class JsonPatchTests
{
    private static JsonPatchOutcome Apply(string doc, string patch) =>
        JsonPatch.Apply(JsonNode.Parse(doc), JsonNode.Parse(patch));

    [Theory]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/01"}]""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/-"}]""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"replace","path":"/a/3","value":0}]""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"add","path":"/a/4","value":0}]""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"add","path":"/a/+1","value":0}]""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"add","path":"/a/1e0","value":0}]""")]
    [InlineData("""{"a":{"b":1}}""", """[{"op":"move","from":"/a","path":"/a/c"}]""")]
    [InlineData("""{"a":1}""", """[{"op":"remove","path":"/b"}]""")]
    [InlineData("""{"a":1}""", """[{"op":"copy","from":"/b","path":"/c"}]""")]
    [InlineData("""{"a":1}""", """[{"op":"add","path":"/a/b","value":1}]""")]
    public void InvalidTargets_Fail(string doc, string patch)
    {
        var outcome = Apply(doc, patch);

        Assert.False(outcome.Succeeded);
        Assert.Equal(JsonPatchErrorKind.NotApplicable, outcome.Error!.Kind);
    }

    [Theory]
    [InlineData("""[{"op":"add","path":"/a~2","value":1}]""")]
    [InlineData("""[{"op":"add","path":"/a~","value":1}]""")]
    [InlineData("""[{"op":"add","path":"a","value":1}]""")]
    [InlineData("""[{"path":"/a","value":1}]""")]
    [InlineData("""[{"op":"move","path":"/a"}]""")]
    [InlineData("""[{"op":"replace","path":"/a"}]""")]
    [InlineData("""[1]""")]
    public void MalformedOperations_Fail(string patch)
    {
        var outcome = Apply("""{"a":1}""", patch);

        Assert.False(outcome.Succeeded);
        Assert.Equal(JsonPatchErrorKind.Malformed, outcome.Error!.Kind);
    }

    [Theory]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"add","path":"/a/3","value":4}]""", """{"a":[1,2,3,4]}""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"add","path":"/a/0","value":0}]""", """{"a":[0,1,2,3]}""")]
    [InlineData("""{"a":[1,2,3]}""", """[{"op":"remove","path":"/a/0"}]""", """{"a":[2,3]}""")]
    [InlineData("""{"a/b":1,"m~n":2}""", """[{"op":"remove","path":"/a~1b"},{"op":"replace","path":"/m~0n","value":3}]""", """{"m~n":3}""")]
    [InlineData("""{"":1}""", """[{"op":"replace","path":"/","value":2}]""", """{"":2}""")]
    [InlineData("""{"a":{"b":[1]}}""", """[{"op":"copy","from":"/a","path":"/c"},{"op":"add","path":"/c/b/-","value":2}]""", """{"a":{"b":[1]},"c":{"b":[1,2]}}""")]
    [InlineData("""{"a":1}""", """[{"op":"move","from":"/a","path":"/a"}]""", """{"a":1}""")]
    [InlineData("""{"a":1}""", """[{"op":"replace","path":"","value":[1]}]""", """[1]""")]
    [InlineData("""{"a":null}""", """[{"op":"test","path":"/a","value":null},{"op":"add","path":"/b","value":null}]""", """{"a":null,"b":null}""")]
    [InlineData("""{"a":1.0,"b":{"x":1,"y":[true]}}""", """[{"op":"test","path":"/a","value":1},{"op":"test","path":"/b","value":{"y":[true],"x":1e0}}]""", """{"a":1,"b":{"x":1,"y":[true]}}""")]
    public void ValidPatches_GiveExpectedDocument(string doc, string patch, string expected)
    {
        var outcome = Apply(doc, patch);

        Assert.True(outcome.Succeeded, outcome.Error?.Message);
        Assert.True(JsonNodeEquality.DeepEquals(JsonNode.Parse(expected), outcome.Document), outcome.Document?.ToJsonString());
    }

    [Fact]
    public void FailureLateInPatch_LeavesInputUntouched_AndReportsOperation()
    {
        var doc = JsonNode.Parse("""{"a":[1,2],"b":"x"}""");

        var outcome = JsonPatch.Apply(doc, JsonNode.Parse("""
            [
              {"op":"remove","path":"/a/0"},
              {"op":"add","path":"/c","value":1},
              {"op":"test","path":"/b","value":"y"}
            ]
            """));

        Assert.False(outcome.Succeeded);
        Assert.Null(outcome.Document);
        Assert.Equal(2, outcome.Error!.OperationIndex);
        Assert.Equal("/b", outcome.Error.Path);
        Assert.Equal("""{"a":[1,2],"b":"x"}""", doc!.ToJsonString());
    }

    [Fact]
    public void CopiedValue_IsIndependentOfPatchDocument()
    {
        var patch = JsonNode.Parse("""[{"op":"add","path":"/a","value":{"x":1}}]""");
        var outcome = JsonPatch.Apply(JsonNode.Parse("{}"), patch);

        outcome.Document!["a"]!["x"] = 2;

        Assert.Equal(1, (int)patch![0]!["value"]!["x"]!);
    }
}

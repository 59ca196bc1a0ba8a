using System.Text;
using Fhir.Phr.Import.Ndjson;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Documents;

public sealed class NdjsonReaderTests
{
    [Fact]
    public void TryRead_OneResourcePerLine_KeepsLineNumbers()
    {
        var ndjson = "\uFEFF{\"resourceType\":\"Patient\",\"id\":\"a\",\"name\":[{\"family\":\"Berg\"}]}\r\n\n{\"resourceType\":\"Observation\",\"status\":\"final\",\"code\":{\"text\":\"x\"}}\n";

        var ok = NdjsonReader.TryRead(Encoding.UTF8.GetBytes(ndjson), out var entries, out var issues);

        Assert.True(ok);
        Assert.Empty(issues);
        Assert.Equal([(1, "Patient"), (3, "Observation")], entries.Select(e => (e.Line, e.Resource.TypeName)));
        Assert.Equal("Berg", ((Patient)entries[0].Resource).Name[0].Family);
    }

    [Theory]
    [InlineData("{\"resourceType\":\"Patient\"", NdjsonIssueCode.InvalidJson)]
    [InlineData("{\"resourceType\":\"Patient\",\"gender\":\"robot\"}", NdjsonIssueCode.InvalidResource)]
    [InlineData("{\"resourceType\":\"NoSuchThing\"}", NdjsonIssueCode.InvalidResource)]
    [InlineData("{\"resourceType\":\"Patient\"} {\"resourceType\":\"Patient\"}", NdjsonIssueCode.InvalidResource)]
    [InlineData("[1,2,3]", NdjsonIssueCode.InvalidJson)]
    public void TryRead_BadLine_IsReportedWithItsNumberAndTheOthersAreRead(string bad, NdjsonIssueCode expected)
    {
        var ndjson = $"{{\"resourceType\":\"Patient\",\"id\":\"a\"}}\n{bad}\n{{\"resourceType\":\"Patient\",\"id\":\"b\"}}\n";

        var ok = NdjsonReader.TryRead(Encoding.UTF8.GetBytes(ndjson), out var entries, out var issues);

        Assert.False(ok);
        Assert.Equal(["a", "b"], entries.Select(e => e.Resource.Id));
        var issue = Assert.Single(issues);
        Assert.Equal((expected, 2), (issue.Code, issue.Line));
    }

    [Theory]
    [InlineData("")]
    [InlineData("\n\n  \r\n")]
    public void TryRead_NoLines_IsEmptyInput(string ndjson)
    {
        Assert.False(NdjsonReader.TryRead(Encoding.UTF8.GetBytes(ndjson), out _, out var issues));
        Assert.Equal((NdjsonIssueCode.EmptyInput, 0), (issues.Single().Code, issues.Single().Line));
    }

    [Fact]
    public void TryRead_HostileNesting_IsAnErrorNotACrash()
    {
        var deep = "{\"resourceType\":\"Patient\",\"extension\":" + string.Concat(Enumerable.Repeat("[{\"extension\":", 500)) + "[]" + string.Concat(Enumerable.Repeat("}]", 500)) + "}";

        Assert.False(NdjsonReader.TryRead(Encoding.UTF8.GetBytes(deep), out _, out var issues));
        Assert.Equal(NdjsonIssueCode.InvalidJson, issues.Single().Code);
    }
}

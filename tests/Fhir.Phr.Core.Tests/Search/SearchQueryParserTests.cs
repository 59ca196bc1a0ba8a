using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Search;

namespace Fhir.Phr.Core.Tests.Search;

public sealed class SearchQueryParserTests
{
    private static readonly SearchQueryParser Parser = new(SearchIndexerTests.Registry);

    private static SearchQuery Parse(string query, SearchHandling handling = SearchHandling.Lenient, string type = "Patient") =>
        Parser.Parse(type, Resources.ConditionalResolver.ParseQueryString(query), handling);

    [Fact]
    public void Parse_ModifiersPrefixesAndOrValues()
    {
        var query = Parse("family:exact=Smith,Jones&birthdate=ge1980-01-01&gender:missing=true");

        Assert.Equal("exact", query.Criteria[0].Modifier);
        Assert.Equal(["Smith", "Jones"], query.Criteria[0].Values.Select(v => v.Raw));
        Assert.Equal("ge", query.Criteria[1].Values[0].Prefix);
        Assert.Equal("missing", query.Criteria[2].Modifier);
    }

    [Fact]
    public void Parse_EscapedCommaIsLiteral()
    {
        var query = Parse(@"family=a\,b");

        Assert.Equal(["a,b"], query.Criteria[0].Values.Select(v => v.Raw));
    }

    [Fact]
    public void Parse_ResultParameters()
    {
        var query = Parse("_count=5&_sort=-birthdate,family&_include=Patient:organization&_revinclude=DocumentReference:subject&_total=none");

        Assert.Equal(5, query.Count);
        Assert.True(query.Sort[0].Descending);
        Assert.Equal("family", query.Sort[1].Parameter.Code);
        Assert.Equal(2, query.Includes.Count);
        Assert.Equal(TotalMode.None, query.Total);
    }

    [Fact]
    public void Parse_ChainAndHas()
    {
        var chained = Parse("subject:Patient.name=x", type: "DocumentReference");
        var has = Parse("_has:DocumentReference:subject:type=http://loinc.org|1");

        Assert.Equal("Patient", chained.Criteria[0].Chain!.Value.TargetType);
        Assert.Equal("DocumentReference", has.Criteria[0].ReverseChain!.Value.ReferringType);
    }

    [Theory]
    [InlineData("birthdate=tomorrow")]
    [InlineData("_count=abc")]
    [InlineData("gender:contains=x")]
    [InlineData("_include=Patient")]
    [InlineData("_total=sometimes")]
    [InlineData("_has:DocumentReference:nothing:type=1")]
    public void Parse_BadInput_Throws400(string query)
    {
        var problem = Assert.Throws<FhirProblem>(() => Parse(query));

        Assert.Equal(System.Net.HttpStatusCode.BadRequest, problem.Status);
    }

    [Fact]
    public void Parse_UnknownParameter_IgnoredWhenLenient_RejectedWhenStrict()
    {
        Assert.Equal(["bogus"], Parse("bogus=1").Ignored);
        Assert.Throws<FhirProblem>(() => Parse("bogus=1", SearchHandling.Strict));
    }
}

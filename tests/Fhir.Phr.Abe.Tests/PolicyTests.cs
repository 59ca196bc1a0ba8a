namespace Fhir.Phr.Abe.Tests;

public sealed class PolicyTests
{
    private static string Show(PolicyNode node) => node switch
    {
        PolicyNode.Leaf l => l.Attribute,
        PolicyNode.And a => $"({Show(a.Left)} & {Show(a.Right)})",
        PolicyNode.Or o => $"({Show(o.Left)} | {Show(o.Right)})",
        _ => "?",
    };

    [Theory]
    [InlineData("a", "a")]
    [InlineData("owner:pat-1 or (grant:pat-1:read and role:physician)", "(owner:pat-1 | (grant:pat-1:read & role:physician))")]
    [InlineData("a and b or c", "((a & b) | c)")]
    [InlineData("a or b and c", "(a | (b & c))")]
    [InlineData("A AND (B Or C)", "(A & (B | C))")]
    [InlineData("\"role: nurse\" and \"and\"", "(role: nurse & and)")]
    [InlineData("\"quote \\\" and \\\\ slash\"", "quote \" and \\ slash")]
    [InlineData("2 of (a, b, c)", "((a & (b | c)) | (b & c))")]
    [InlineData("1 of (a, b)", "(a | b)")]
    [InlineData("2 of (a, b)", "(a & b)")]
    [InlineData("42", "42")]
    public void Parse_BuildsTheExpectedFormula(string policy, string expected)
    {
        Assert.Equal(expected, Show(PolicyParser.Parse(policy)));
    }

    [Theory]
    [InlineData("", 0, "empty")]
    [InlineData("a and", 5, "ended")]
    [InlineData("a b", 2, "unexpected 'b'")]
    [InlineData("(a or b", 7, "expected ')'")]
    [InlineData("a and or", 6, "keyword 'or'")]
    [InlineData("\"abc", 0, "unterminated")]
    [InlineData("\"\"", 0, "empty")]
    [InlineData("4 of (a, b, c)", 0, "impossible")]
    [InlineData("0 of (a)", 0, "impossible")]
    [InlineData("a and )", 6, "expected an attribute")]
    [InlineData("\"a\\n\"", 2, "unknown escape")]
    public void Parse_ReportsErrorsWithPosition(string policy, int position, string fragment)
    {
        var e = Assert.Throws<FamePolicyException>(() => PolicyParser.Parse(policy));

        Assert.Equal(position, e.Position);
        Assert.Contains(fragment, e.Message, StringComparison.Ordinal);
        Assert.Contains($"position {position}", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_RejectsThresholdsThatExplode()
    {
        var items = string.Join(", ", Enumerable.Range(0, 30).Select(i => $"x{i}"));

        Assert.Throws<FamePolicyException>(() => PolicyParser.Parse($"15 of ({items})"));
    }

    [Fact]
    public void Msp_MatchesTheLewkoWatersExample()
    {
        // The example used by rabe's unit test and Charm's msp.py.
        var msp = MonotoneSpanProgram.Build(PolicyParser.Parse("A and (D or (B and C))"));

        Assert.Equal(["A", "D", "B", "C"], msp.RowAttributes);
        Assert.Equal(3, msp.Columns);
        Assert.Equal(new sbyte[] { 1, 1, 0 }, msp.Rows[0]);
        Assert.Equal(new sbyte[] { 0, -1, 0 }, msp.Rows[1]);
        Assert.Equal(new sbyte[] { 0, -1, 1 }, msp.Rows[2]);
        Assert.Equal(new sbyte[] { 0, 0, -1 }, msp.Rows[3]);
    }

    [Theory]
    [InlineData("A and (D or (B and C))", "A,B,C", true)]
    [InlineData("A and (D or (B and C))", "A,D", true)]
    [InlineData("A and (D or (B and C))", "A,B", false)]
    [InlineData("A and (D or (B and C))", "B,C,D", false)]
    [InlineData("2 of (a, b, c)", "c,a", true)]
    [InlineData("2 of (a, b, c)", "b", false)]
    [InlineData("3 of (a, b, c, d)", "a,b,d", true)]
    public void Satisfy_SelectsRowsThatSumToTheTargetVector(string policy, string attributes, bool satisfied)
    {
        var tree = PolicyParser.Parse(policy);
        var msp = MonotoneSpanProgram.Build(tree);

        var rows = MonotoneSpanProgram.Satisfy(tree, new HashSet<string>(attributes.Split(',')));

        Assert.Equal(satisfied, rows is not null);
        if (rows is null) return;
        var sum = new int[msp.Columns];
        foreach (int i in rows)
        {
            Assert.Contains(msp.RowAttributes[i], attributes.Split(','));
            for (int j = 0; j < msp.Columns; j++) sum[j] += msp.Rows[i][j];
        }
        Assert.Equal(1, sum[0]);
        Assert.All(sum.Skip(1), v => Assert.Equal(0, v));
    }
}

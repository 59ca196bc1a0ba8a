using Fhir.Phr.Core.Matching;

namespace Fhir.Phr.Core.Tests.Matching;

/// <summary>Precision and recall of <see cref="PatientMatcher"/> over the generated set (issue #5; the numbers go to docs/benchmarks.md).</summary>
public sealed class PatientMatcherEvaluationTests(ITestOutputHelper output)
{
    [Fact]
    public void Compare_GeneratedPairs_LinksPreciselyAndSendsTheRestToReview()
    {
        var pairs = MatchPairs.Generate();

        var decided = pairs.Select(p => (Pair: p, Score: PatientMatcher.Compare(p.Incoming, p.Candidate))).ToList();

        var (linkPrecision, linkRecall) = Measure(decided, d => d == MatchDecision.Link);
        var (reviewPrecision, reviewRecall) = Measure(decided, d => d != MatchDecision.New);
        output.WriteLine($"{pairs.Count} pairs ({pairs.Count(p => p.SamePerson)} same person)");
        output.WriteLine($"auto-link: precision {linkPrecision:P1}, recall {linkRecall:P1}");
        output.WriteLine($"link or review: precision {reviewPrecision:P1}, recall {reviewRecall:P1}");
        foreach (var group in decided.GroupBy(d => (d.Pair.SamePerson, d.Pair.Kind)))
        {
            output.WriteLine($"  {(group.Key.SamePerson ? "same" : "other")} {group.Key.Kind}: "
                + string.Join(", ", group.GroupBy(g => g.Score.Decision).OrderBy(g => g.Key).Select(g => $"{g.Key} {g.Count()}")));
        }

        foreach (var (pair, score) in decided.Where(d => d.Pair.SamePerson != (d.Score.Decision == MatchDecision.Link) && d.Score.Decision != MatchDecision.Review))
        {
            output.WriteLine($"  decided wrongly: {pair.Kind} {pair.Incoming.Name[0]} / {pair.Candidate.Name[0]}: {string.Join("; ", score.Evidence.Select(e => $"{e.Field} {e.Weight} {e.Reason}"))}");
        }

        Assert.True(pairs.Count >= 200);
        Assert.True(linkPrecision >= 0.98, $"auto-link precision {linkPrecision:P1}");
        Assert.True(linkRecall >= 0.85, $"auto-link recall {linkRecall:P1}");
        Assert.True(reviewRecall >= 0.98, $"recall with review {reviewRecall:P1}");

        // Twins registered by one hospital carry two of its MRNs, which outweighs their shared demographics.
        Assert.All(decided.Where(d => d.Pair.Kind == "twin same hospital"), d => Assert.Equal(MatchDecision.New, d.Score.Decision));
    }

    private static (double Precision, double Recall) Measure(List<(MatchPair Pair, MatchScore Score)> decided, Func<MatchDecision, bool> positive)
    {
        var truePositives = decided.Count(d => d.Pair.SamePerson && positive(d.Score.Decision));
        var predicted = decided.Count(d => positive(d.Score.Decision));
        var actual = decided.Count(d => d.Pair.SamePerson);
        return (predicted == 0 ? 1 : (double)truePositives / predicted, (double)truePositives / actual);
    }
}

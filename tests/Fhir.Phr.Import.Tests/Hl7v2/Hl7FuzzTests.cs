using System.Diagnostics;
using System.Text;
using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Hl7v2;

public sealed class Hl7FuzzTests
{
    private static readonly byte[] Interesting = "|^~\\&\r\n\u000b\u001cMSHPIDOBXE.X0"u8.ToArray();

    /// <summary>
    /// Byte flips, delimiter insertions, truncations and splices of the committed corpus for about
    /// three seconds: every case must end in messages and issues (no exception), and none may take
    /// long enough to look like a hang.
    /// </summary>
    [Fact]
    public void TryParseAndConvert_MutatedCorpus_NeverThrowsOrHangs()
    {
        var corpus = Hl7Corpus.AllFiles().Select(Hl7Corpus.Read).ToArray();
        foreach (var original in corpus)
        {
            Exercise(original);
        }

        var random = new Random(5);
        var budget = Stopwatch.StartNew();
        var failures = new List<string>();
        var cases = 0;
        var slowest = TimeSpan.Zero;
        while (budget.Elapsed < TimeSpan.FromSeconds(3) && failures.Count < 5)
        {
            var (mutated, description) = Mutate(corpus, random);
            var started = budget.Elapsed;
            try
            {
                Exercise(mutated);
            }
            catch (Exception e)
            {
                failures.Add($"{description}: {e.GetType().Name}: {e.Message}\n{Convert.ToBase64String(mutated)}");
            }

            var took = budget.Elapsed - started;
            slowest = took > slowest ? took : slowest;
            cases++;
        }

        Assert.Empty(failures);
        Assert.True(cases > 100, $"only {cases} cases ran");
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"slowest case took {slowest}");
    }

    private static void Exercise(byte[] input)
    {
        var ok = Hl7Parser.TryParse(input, out var messages, out var issues);
        Assert.Equal(messages.Count > 0 && !issues.Any(i => i.Severity == Hl7IssueSeverity.Error), ok);
        _ = Hl7Parser.TryParse(Encoding.Latin1.GetString(input), out var fromText, out _);
        foreach (var message in messages.Concat(fromText))
        {
            var result = Hl7v2ToFhir.Convert(message);
            foreach (var resource in result.Resources)
            {
                _ = resource.ToJson();
            }

            _ = Hl7Ack.Create(message, AckCode.AE, "fuzz | case");
        }
    }

    private static (byte[] Bytes, string Description) Mutate(byte[][] corpus, Random random)
    {
        var source = corpus[random.Next(corpus.Length)];
        var bytes = (byte[])source.Clone();
        switch (random.Next(4))
        {
            case 0:
                for (var i = random.Next(1, 8); i > 0 && bytes.Length > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                }

                return (bytes, "flip");
            case 1:
                for (var i = random.Next(1, 8); i > 0 && bytes.Length > 0; i--)
                {
                    bytes[random.Next(bytes.Length)] = Interesting[random.Next(Interesting.Length)];
                }

                return (bytes, "delimiter");
            case 2:
                return (bytes[..random.Next(bytes.Length + 1)], "truncate");
            default:
                var other = corpus[random.Next(corpus.Length)];
                var cut = random.Next(bytes.Length + 1);
                return ([.. bytes[..cut], .. other[random.Next(other.Length + 1)..]], "splice");
        }
    }
}

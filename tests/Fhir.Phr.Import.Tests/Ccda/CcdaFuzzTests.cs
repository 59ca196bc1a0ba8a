using System.Diagnostics;
using Fhir.Phr.Import.Ccda;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Ccda;

public sealed class CcdaFuzzTests
{
    private static readonly byte[] Interesting = "<>/&;\"'=:!?[]-\n \u00e9xmlns"u8.ToArray();

    /// <summary>
    /// Byte flips, XML-significant insertions, truncations and splices of the committed documents for about three seconds:
    /// every case must end in resources and issues (no exception), every resource must serialise, and no case may take long
    /// enough to look like a hang.
    /// </summary>
    [Fact]
    public void TryConvert_MutatedSamples_NeverThrowOrHang()
    {
        var samples = CcdaSamples.AllFiles().Select(CcdaSamples.Read).ToArray();
        foreach (var sample in samples)
        {
            Exercise(sample);
        }

        var random = new Random(5);
        var budget = Stopwatch.StartNew();
        var failures = new List<string>();
        var cases = 0;
        var slowest = TimeSpan.Zero;
        while (budget.Elapsed < TimeSpan.FromSeconds(3) && failures.Count < 5)
        {
            var (mutated, description) = Mutate(samples, random);
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
        var ok = CcdaToFhir.TryConvert(input, out var result);
        Assert.Equal(result.Succeeded, ok);
        Assert.True(result.Resources.Count > 0 || result.Issues.Count > 0, "nothing produced and nothing said");
        _ = CcdaToFhir.IsClinicalDocument(input);
        foreach (var resource in result.Resources)
        {
            _ = resource.ToJson();
        }
    }

    private static (byte[] Bytes, string Description) Mutate(byte[][] samples, Random random)
    {
        var source = samples[random.Next(samples.Length)];
        var bytes = new List<byte>(source);
        switch (random.Next(4))
        {
            case 0:
                for (var i = random.Next(1, 8); i > 0 && bytes.Count > 0; i--)
                {
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                }

                return (bytes.ToArray(), "flip");
            case 1:
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    bytes.Insert(random.Next(bytes.Count + 1), Interesting[random.Next(Interesting.Length)]);
                }

                return (bytes.ToArray(), "insert");
            case 2:
                return (source[..random.Next(source.Length + 1)], "truncate");
            default:
                var other = samples[random.Next(samples.Length)];
                var from = random.Next(other.Length);
                bytes.InsertRange(random.Next(bytes.Count + 1), other.Skip(from).Take(random.Next(1, 400)));
                return (bytes.ToArray(), "splice");
        }
    }
}

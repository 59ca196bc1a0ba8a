using System.Diagnostics;
using Fhir.Phr.Import.Csv;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Csv;

public sealed class CsvFuzzTests
{
    private static readonly byte[] Interesting = ",;\t\"\r\n\uFEFF\u00e9-/0123:"u8.ToArray();

    /// <summary>
    /// Byte flips, CSV-significant insertions, truncations and splices of the committed samples for about three seconds:
    /// every case must end in resources and issues (no exception), every resource must keep the profile's promises and
    /// serialise, and no case may take long enough to look like a hang.
    /// </summary>
    [Fact]
    public void Convert_MutatedSamples_NeverThrowOrHang()
    {
        var samples = CsvSamples.CsvFiles().Select(CsvSamples.Read).ToArray();

        // The unmutated samples first, so that start-up (JIT, serializer set-up) does not count as a slow case.
        foreach (var sample in samples)
        {
            Exercise(sample, CsvDateOrder.DayFirst);
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
                Exercise(mutated, random.Next(2) == 0 ? CsvDateOrder.DayFirst : CsvDateOrder.MonthFirst);
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

    private static void Exercise(byte[] input, CsvDateOrder order)
    {
        var options = new CsvImportOptions { Source = "fuzz", DateOrder = order };
        var patients = CsvPatientConverter.Convert(new MemoryStream(input), options);
        foreach (var patient in patients.Resources.Cast<Patient>())
        {
            Assert.NotEmpty(patient.Identifier.Single().Value);
            Assert.True(patient.Name.Single() is { } name && (name.Family is not null || name.Given.Any() || name.Text is not null));
            _ = patient.ToJson();
        }

        var documents = CsvDocumentIndexConverter.Convert(new MemoryStream(input), options);
        foreach (var document in documents.Resources.Cast<DocumentReference>())
        {
            Assert.NotEmpty(document.Subject.Identifier.Value);
            Assert.True(document.Type is not null && document.Date is not null && document.Content.Single().Attachment.ContentType is not null);
            _ = document.ToJson();
        }

        Assert.All(patients.Issues.Concat(documents.Issues), i => Assert.True(i.Line >= 0));
    }

    private static (byte[] Bytes, string Description) Mutate(byte[][] samples, Random random)
    {
        var source = samples[random.Next(samples.Length)];
        var bytes = new List<byte>(source);
        string description;
        switch (random.Next(4))
        {
            case 0:
                for (var i = random.Next(1, 8); i > 0 && bytes.Count > 0; i--)
                {
                    bytes[random.Next(bytes.Count)] = (byte)random.Next(256);
                }

                description = "flip";
                break;
            case 1:
                for (var i = random.Next(1, 8); i > 0; i--)
                {
                    bytes.Insert(random.Next(bytes.Count + 1), Interesting[random.Next(Interesting.Length)]);
                }

                description = "insert";
                break;
            case 2:
                var at = random.Next(bytes.Count + 1);
                bytes.RemoveRange(at, bytes.Count - at);
                description = "truncate";
                break;
            default:
                var other = samples[random.Next(samples.Length)];
                var from = random.Next(other.Length);
                bytes.InsertRange(random.Next(bytes.Count + 1), other.Skip(from).Take(random.Next(1, 200)));
                description = "splice";
                break;
        }

        return (bytes.ToArray(), description);
    }
}

using System.Diagnostics;
using Fhir.Phr.Import.Documents;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Documents;

public sealed class DocumentFuzzTests
{
    private static readonly byte[] Interesting = "%PDF-obj<<>>/()[]\n\r:0123456789\u00ff\u00d8\u00e1Exif"u8.ToArray();

    /// <summary>
    /// Byte flips, insertions of format-significant bytes, truncations and splices of the committed documents (PDF, PNG, JPEG,
    /// text) for about three seconds: every case must end in a result (no exception), every DocumentReference must keep the
    /// file and serialise, and no case may take long enough to look like a hang. Each case runs without OCR and with a recognizer
    /// that answers at once, so that the extraction of a scanned PDF's page images is fuzzed too without a tesseract run per case.
    /// </summary>
    [Fact]
    public void TryConvert_MutatedSamples_NeverThrowOrHang()
    {
        var samples = DocumentSamples.AllFiles().Select(f => (Name: f, Bytes: DocumentSamples.Read(f))).ToArray();
        foreach (var (name, bytes) in samples)
        {
            Exercise(bytes, name);
        }

        var random = new Random(5);
        var budget = Stopwatch.StartNew();
        var failures = new List<string>();
        var cases = 0;
        var slowest = TimeSpan.Zero;
        while (budget.Elapsed < TimeSpan.FromSeconds(3) && failures.Count < 5)
        {
            var (name, source) = samples[random.Next(samples.Length)];
            var (mutated, description) = Mutate(source, samples[random.Next(samples.Length)].Bytes, random);
            var started = budget.Elapsed;
            try
            {
                Exercise(mutated, name);
            }
            catch (Exception e)
            {
                failures.Add($"{name} {description}: {e.GetType().Name}: {e.Message}\n{Convert.ToBase64String(mutated)}");
            }

            var took = budget.Elapsed - started;
            slowest = took > slowest ? took : slowest;
            cases++;
        }

        Assert.Empty(failures);
        Assert.True(cases > 100, $"only {cases} cases ran");
        Assert.True(slowest < TimeSpan.FromSeconds(1), $"slowest case took {slowest}");
    }

    private static void Exercise(byte[] input, string name)
    {
        Exercise(input, new DocumentImportOptions { Source = "fuzz", FileName = name });
        var recognizer = new InstantRecognizer();
        Exercise(input, new DocumentImportOptions { Source = "fuzz", FileName = name, TextRecognizer = recognizer });
        Assert.Equal(0, recognizer.EmptyImages);
    }

    private static void Exercise(byte[] input, DocumentImportOptions options)
    {
        var ok = DocumentToFhir.TryConvert(input, options, out var result);
        Assert.Equal(result.Succeeded, ok);
        Assert.True(result.Resources.Count > 0 || result.Issues.Any(i => i.Severity == DocumentIssueSeverity.Error), "nothing produced and no error");
        foreach (var document in result.Resources.Cast<DocumentReference>())
        {
            Assert.Equal(input, document.Content[0].Attachment.Data);
            _ = document.ToJson();
        }
    }

    /// <summary>Reads every image as the same short report, and counts images that had no bytes to read.</summary>
    private sealed class InstantRecognizer : ITextRecognizer
    {
        public int EmptyImages { get; private set; }

        public RecognizedText? Recognize(ReadOnlyMemory<byte> image, string contentType, out string? failure)
        {
            EmptyImages += image.IsEmpty ? 1 : 0;
            failure = null;
            return new RecognizedText("DISCHARGE SUMMARY\nMRN: 4471203\nDischarge Date: 09/03/2026", 0.9m);
        }
    }

    private static (byte[] Bytes, string Description) Mutate(byte[] source, byte[] other, Random random)
    {
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
                var from = random.Next(other.Length);
                bytes.InsertRange(random.Next(bytes.Count + 1), other.Skip(from).Take(random.Next(1, 400)));
                return (bytes.ToArray(), "splice");
        }
    }
}

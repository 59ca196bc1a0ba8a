using System.Buffers.Binary;
using System.Diagnostics;
using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Tests.Dicom;

public sealed class DicomFuzzTests
{
    private static readonly string[] Seeds =
    [
        "test_files/CT_small.dcm",
        "test_files/MR_small_implicit.dcm",
        "test_files/MR_small_bigendian.dcm",
        "test_files/ExplVR_BigEndNoMeta.dcm",
        "test_files/image_dfl.dcm",
        "test_files/UN_sequence.dcm",
        "test_files/nested_priv_SQ.dcm",
        "test_files/JPEG2000.dcm",
        "test_files/SC_rgb_rle_2frame.dcm",
        "test_files/rtplan.dcm",
        "test_files/dicomdirtests/DICOMDIR",
        "charset_files/chrH32.dcm",
        "charset_files/chrSQEncoding.dcm",
    ];

    /// <summary>
    /// Byte flips, truncations, length-field corruptions and splices of real files for a fixed time.
    /// Every case must end in a data set or a DicomReadException: no other exception, no case that
    /// hangs, and no allocation beyond a small multiple of the input.
    /// </summary>
    [Fact]
    public void Open_MutatedCorpusFiles_EndInResultOrDicomReadException()
    {
        var corpus = Seeds.Select(s => File.ReadAllBytes(DicomCorpus.Full(s))).ToArray();

        // Warm up (JIT, dictionary, code pages, FHIR model) so the per-case time measures parsing only.
        foreach (var original in corpus)
        {
            Exercise(DicomFile.Open(new MemoryStream(original)).Dataset);
        }

        var random = new Random(4);
        var budget = Stopwatch.StartNew();
        var failures = new List<string>();
        var cases = 0;
        var rejected = 0;
        var slowest = TimeSpan.Zero;
        var slowestMutation = string.Empty;

        while (budget.Elapsed < TimeSpan.FromSeconds(5) && failures.Count < 5)
        {
            var source = random.Next(corpus.Length);
            var (bytes, mutation) = Mutate(corpus[source], random);
            var forwardOnly = random.Next(2) == 0;
            var allocatedBefore = GC.GetAllocatedBytesForCurrentThread();
            var started = Stopwatch.GetTimestamp();
            try
            {
                Stream stream = forwardOnly ? new ForwardOnlyStream(new MemoryStream(bytes)) : new MemoryStream(bytes);
                var file = DicomFile.Open(stream);
                Exercise(file.Dataset);
            }
            catch (DicomReadException)
            {
                rejected++;
            }
            catch (Exception ex)
            {
                failures.Add($"{Seeds[source]} {mutation} forwardOnly={forwardOnly}: {ex.GetType().Name}: {ex.Message}");
            }

            var elapsed = Stopwatch.GetElapsedTime(started);
            if (elapsed > slowest)
            {
                slowest = elapsed;
                slowestMutation = $"{Seeds[source]} {mutation}";
            }

            var allocated = GC.GetAllocatedBytesForCurrentThread() - allocatedBefore;
            if (allocated > (16L * bytes.Length) + (8 * 1024 * 1024))
            {
                failures.Add($"{Seeds[source]} {mutation}: allocated {allocated} bytes for {bytes.Length} input bytes");
            }

            cases++;
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{cases} cases, {rejected} rejected with DicomReadException, slowest {slowest.TotalMilliseconds:F1} ms ({slowestMutation})");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));
        Assert.True(cases > 200, $"only {cases} cases ran");
        Assert.InRange(rejected, 1, cases - 1);
        // A hang detector, not a speed target: a case that loops would exceed this by far.
        Assert.True(slowest < TimeSpan.FromSeconds(5), $"slowest case took {slowest}: {slowestMutation}");
    }

    /// <summary>Reads every value the way the mappers would, so decoding garbage is covered too.</summary>
    private static void Exercise(DicomDataset dataset)
    {
        foreach (var item in dataset)
        {
            _ = dataset.GetStrings(item.Tag);
            _ = dataset.TryGetInt(item.Tag, out _);
            _ = dataset.TryGetDouble(item.Tag, out _);
            _ = dataset.TryGetDate(item.Tag, out _);
            _ = dataset.TryGetDateTime(item.Tag, out _);
            if (item.VR == DicomVR.PN)
            {
                _ = dataset.GetPersonName(item.Tag);
            }

            if (item is DicomSequence sequence)
            {
                foreach (var child in sequence.Items)
                {
                    Exercise(child);
                }
            }
        }

        _ = ImagingStudyMapper.Merge(ImagingStudyMapper.Create(new ResourceReference("Patient/x")), dataset);
        _ = DicomPatientMapper.TryBuild(dataset, null, out _, out _);
    }

    private static (byte[] Bytes, string Mutation) Mutate(byte[] original, Random random)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(5))
        {
            case 0:
            {
                var flips = random.Next(1, 9);
                for (var i = 0; i < flips; i++)
                {
                    bytes[random.Next(bytes.Length)] ^= (byte)(1 << random.Next(8));
                }

                return (bytes, $"flip x{flips}");
            }

            case 1:
            {
                var length = random.Next(bytes.Length);
                return (bytes[..length], $"truncate at {length}");
            }

            case 2:
            {
                // Aim at the header area where length fields are dense; overwrite 2 or 4 bytes.
                var at = random.Next(Math.Min(bytes.Length - 4, 4096));
                uint[] hostile = [0xFFFFFFFF, 0xFFFFFFF0, 0x7FFFFFFF, 0, 1, (uint)random.Next()];
                var value = hostile[random.Next(hostile.Length)];
                if (random.Next(2) == 0)
                {
                    BinaryPrimitives.WriteUInt32LittleEndian(bytes.AsSpan(at), value);
                }
                else
                {
                    BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(at), (ushort)value);
                }

                return (bytes, $"length 0x{value:X8} at {at}");
            }

            case 3:
            {
                var from = random.Next(bytes.Length);
                var to = random.Next(bytes.Length);
                var count = Math.Min(random.Next(1, 64), Math.Min(bytes.Length - from, bytes.Length - to));
                Array.Copy(original, from, bytes, to, count);
                return (bytes, $"splice {count} bytes {from}->{to}");
            }

            default:
            {
                var at = random.Next(bytes.Length);
                var garbage = new byte[random.Next(1, 32)];
                random.NextBytes(garbage);
                return ([.. bytes[..at], .. garbage, .. bytes[at..]], $"insert {garbage.Length} bytes at {at}");
            }
        }
    }
}

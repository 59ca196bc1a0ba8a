using BenchmarkDotNet.Attributes;
using Fhir.Phr.Import.Hl7v2;

namespace Fhir.Phr.Benchmarks.Import;

/// <summary>
/// HL7 v2 ADT parse + map (issue #5 target: at least 20,000 messages/s per core): one message of sample-data/hl7v2 parsed from
/// its bytes (delimiters, escapes, repetitions) and converted to a Patient on one thread, so messages/s per core = 1 s / mean.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class Hl7v2Benchmarks
{
    private byte[] _message = null!;

    /// <summary>A plain A01 with two identifiers, address and telecom; one full of escapes; one in UTF-8 with a Z-segment-free A04.</summary>
    [Params("adt-a01-basic.hl7", "adt-a01-escapes.hl7", "adt-a04-utf8.hl7")]
    public string File { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _message = SampleFiles.Read("hl7v2", File);
    }

    [Benchmark]
    public int ParseAndConvert()
    {
        _ = Hl7Parser.TryParse(_message, out var messages, out _);
        var resources = 0;
        foreach (var message in messages)
        {
            resources += Hl7v2ToFhir.Convert(message).Resources.Count;
        }

        return resources;
    }
}

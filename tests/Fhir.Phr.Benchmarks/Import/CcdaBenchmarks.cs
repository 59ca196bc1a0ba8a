using BenchmarkDotNet.Attributes;
using Fhir.Phr.Import.Ccda;

namespace Fhir.Phr.Benchmarks.Import;

/// <summary>
/// C-CDA header + DocumentReference (issue #5 target: at least 500 documents/s per core): one document of sample-data/ccda
/// converted on one thread (Patient, DocumentReference with the original, narratives and unpacked body), so documents/s per
/// core = 1 s / mean.
/// </summary>
[MemoryDiagnoser]
[ShortRunJob]
public class CcdaBenchmarks
{
    private byte[] _document = null!;

    /// <summary>A CCD with a table, list and paragraphs; a discharge summary with an encounter; a nonXMLBody with a Base64 PDF.</summary>
    [Params("ccd.xml", "discharge-summary.xml", "unstructured-pdf.xml")]
    public string File { get; set; } = "";

    [GlobalSetup]
    public void Setup()
    {
        _document = SampleFiles.Read("ccda", File);
    }

    [Benchmark]
    public int Convert()
    {
        _ = CcdaToFhir.TryConvert(_document, out var result);
        return result.Resources.Count;
    }
}

using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Fhir.Phr.Import.Dicom;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace Fhir.Phr.Server.Tests;

/// <summary>STOW-RS, WADO-RS and QIDO-RS with real files from Debian's python3-pydicom.</summary>
[Collection(ServerCollection.Name)]
public sealed class DicomWebTests(FhirServerFixture server)
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    private const string CtStudy = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";
    private const string CtSeries = "1.3.6.1.4.1.5962.1.3.1.1.20040119072730.12322";
    private const string CtInstance = "1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322";

    private static byte[] File(string name) => System.IO.File.ReadAllBytes(Path.Combine(Corpus, name));

    private static async Task<JsonElement[]> QidoAsync(HttpClient http, string url)
    {
        using var response = await http.GetAsync(new Uri(url, UriKind.Relative));
        if (response.StatusCode == HttpStatusCode.NoContent)
            return [];
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType!.MediaType);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray().ToArray();
    }

    private static string? Text(JsonElement result, string tag) =>
        result.TryGetProperty(tag, out var attribute) && attribute.TryGetProperty("Value", out var value) ? value[0].ToString() : null;

    private static MultipartContent Stow(params byte[][] parts)
    {
        var content = new MultipartContent("related");
        content.Headers.ContentType!.Parameters.Add(new NameValueHeaderValue("type", "\"application/dicom\""));
        foreach (var part in parts)
        {
            var body = new ByteArrayContent(part);
            body.Headers.ContentType = new MediaTypeHeaderValue("application/dicom");
            content.Add(body);
        }
        return content;
    }

    [Fact]
    public async Task Stow_ThenWado_RoundTripsByteIdentical_AndQidoFindsTheStudy()
    {
        using var http = server.Http();
        var ct = File("CT_small.dcm");
        var mr = File("MR_small.dcm");

        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(ct, mr));
        var result = JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement;
        using var retrieved = await http.GetAsync(new Uri($"/dicomweb/studies/{CtStudy}/series/{CtSeries}/instances/{CtInstance}", UriKind.Relative));
        var multipart = await retrieved.Content.ReadAsByteArrayAsync();
        using var qido = await http.GetAsync(new Uri("/dicomweb/studies?PatientID=1CT1", UriKind.Relative));
        var studies = JsonDocument.Parse(await qido.Content.ReadAsStringAsync()).RootElement;

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal(2, result.GetProperty("00081199").GetProperty("Value").GetArrayLength());
        Assert.Equal(HttpStatusCode.OK, retrieved.StatusCode);
        Assert.Equal("multipart/related", retrieved.Content.Headers.ContentType!.MediaType);
        Assert.True(multipart.AsSpan().IndexOf(ct) > 0, "the retrieved part is the stored file, byte for byte");
        var study = Assert.Single(studies.EnumerateArray());
        Assert.Equal("1.3.6.1.4.1.5962.1.2.1.20040119072730.12322", study.GetProperty("0020000D").GetProperty("Value")[0].GetString());
        Assert.Equal("CT", study.GetProperty("00080061").GetProperty("Value")[0].GetString());
    }

    [Fact]
    public async Task Stow_CreatesPatientAndImagingStudy_AndResendIsIdempotent()
    {
        using var http = server.Http();
        var plan = File("rtplan.dcm");

        using var first = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(plan));
        var studies = await server.Fhir().SearchAsync<ImagingStudy>(new SearchParams().Add("identifier", "urn:dicom:uid|urn:oid:1.22.333.4.555555.6.7777777777777777777777777777"));
        var version = studies!.Entry.Single().Resource.Meta.VersionId;
        using var again = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(plan));
        var after = await server.Fhir().SearchAsync<ImagingStudy>(new SearchParams().Add("identifier", "urn:dicom:uid|urn:oid:1.22.333.4.555555.6.7777777777777777777777777777"));
        var patients = await server.Fhir().SearchAsync<Patient>(new SearchParams().Add("identifier", "id00001"));

        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, again.StatusCode);
        var study = (ImagingStudy)after!.Entry.Single().Resource;
        Assert.Equal(version, study.Meta.VersionId);
        Assert.Equal("RTPLAN", study.Series.Single().Modality.Code);
        var patient = (Patient)patients!.Entry.Single().Resource;
        Assert.Equal($"Patient/{patient.Id}", study.Subject.Reference);
        Assert.Equal("Last", patient.Name[0].Family);
    }

    [Fact]
    public async Task Stow_GarbageAndWrongStudy_AreReportedAsFailures()
    {
        using var http = server.Http();

        using var garbage = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow([1, 2, 3, 4]));
        using var wrongStudy = await http.PostAsync(new Uri("/dicomweb/studies/1.2.3.4", UriKind.Relative), Stow(File("MR_small.dcm")));
        var failure = JsonDocument.Parse(await wrongStudy.Content.ReadAsStringAsync()).RootElement.GetProperty("00081198").GetProperty("Value")[0];

        Assert.Equal(HttpStatusCode.Conflict, garbage.StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, wrongStudy.StatusCode);
        Assert.Equal(0xA900, failure.GetProperty("00081197").GetProperty("Value")[0].GetInt32());
    }

    [Fact]
    public async Task WadoMetadata_ReturnsDicomJsonOfTheStoredInstance()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("MR_small.dcm")));

        using var response = await http.GetAsync(new Uri("/dicomweb/studies/1.3.6.1.4.1.5962.1.2.4.20040826185059.5457/metadata", UriKind.Relative));
        var instance = Assert.Single(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.EnumerateArray());

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal("application/dicom+json", response.Content.Headers.ContentType!.MediaType);
        Assert.Equal("MR", instance.GetProperty("00080060").GetProperty("Value")[0].GetString());
        Assert.Equal("CompressedSamples^MR1", instance.GetProperty("00100010").GetProperty("Value")[0].GetProperty("Alphabetic").GetString());
        Assert.Equal(JsonValueKind.Number, instance.GetProperty("00280010").GetProperty("Value")[0].ValueKind);
        Assert.False(instance.TryGetProperty("7FE00010", out _));
    }

    [Fact]
    public async Task QidoSeriesAndInstances_AndWadoSeries_FollowTheStoredStudy()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("CT_small.dcm")));
        const string study = "1.3.6.1.4.1.5962.1.2.1.20040119072730.12322";

        using var seriesResponse = await http.GetAsync(new Uri($"/dicomweb/studies/{study}/series", UriKind.Relative));
        var series = Assert.Single(JsonDocument.Parse(await seriesResponse.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        var seriesUid = series.GetProperty("0020000E").GetProperty("Value")[0].GetString();
        using var instancesResponse = await http.GetAsync(new Uri($"/dicomweb/studies/{study}/series/{seriesUid}/instances", UriKind.Relative));
        var instance = Assert.Single(JsonDocument.Parse(await instancesResponse.Content.ReadAsStringAsync()).RootElement.EnumerateArray());
        using var wado = await http.GetAsync(new Uri($"/dicomweb/studies/{study}/series/{seriesUid}", UriKind.Relative));
        using var noSuchSeries = await http.GetAsync(new Uri($"/dicomweb/studies/{study}/series/1.2.3/instances", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.Equal("CT", series.GetProperty("00080060").GetProperty("Value")[0].GetString());
        Assert.Equal("1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322", instance.GetProperty("00080018").GetProperty("Value")[0].GetString());
        Assert.True((await wado.Content.ReadAsByteArrayAsync()).AsSpan().IndexOf(File("CT_small.dcm")) > 0);
        Assert.Equal(HttpStatusCode.NotFound, noSuchSeries.StatusCode);
    }

    [Fact]
    public async Task Stow_WithoutMultipart_Returns415()
    {
        using var http = server.Http();

        using var response = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), new ByteArrayContent(File("CT_small.dcm")));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task Qido_PatientNameWildcards_FollowPs34()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("CT_small.dcm"), File("MR_small.dcm")));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var ct = await QidoAsync(http, "/dicomweb/studies?PatientName=Compressed*^CT?");
        var mr = await QidoAsync(http, "/dicomweb/studies?PatientName=*MR1");
        var caseless = await QidoAsync(http, "/dicomweb/studies?PatientName=compressedsamples^ct1");
        var none = await QidoAsync(http, "/dicomweb/studies?PatientName=Compressed?^CT1");

        Assert.Equal(CtStudy, Text(Assert.Single(ct), "0020000D"));
        Assert.Equal("CompressedSamples^CT1", Assert.Single(ct).GetProperty("00100010").GetProperty("Value")[0].GetProperty("Alphabetic").GetString());
        Assert.Contains(mr, s => Text(s, "00080061") == "MR");
        Assert.DoesNotContain(mr, s => Text(s, "0020000D") == CtStudy);
        Assert.Single(caseless);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Qido_AcrossStudies_SeriesAndInstances()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("CT_small.dcm"), File("MR_small.dcm")));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var ctSeries = await QidoAsync(http, "/dicomweb/series?Modality=CT&PatientID=1CT1");
        var instance = await QidoAsync(http, $"/dicomweb/instances?SOPInstanceUID={CtInstance}");
        var studyInstances = await QidoAsync(http, $"/dicomweb/studies/{CtStudy}/instances");
        var byTag = await QidoAsync(http, $"/dicomweb/instances?00080018={CtInstance}");

        var series = Assert.Single(ctSeries);
        Assert.Equal(CtStudy, Text(series, "0020000D"));
        Assert.Equal(CtSeries, Text(series, "0020000E"));
        Assert.Equal(CtSeries, Text(Assert.Single(instance), "0020000E"));
        Assert.Equal(CtInstance, Text(Assert.Single(studyInstances), "00080018"));
        Assert.Single(byTag);
    }

    [Fact]
    public async Task Qido_IncludeField_ReadsAttributesFromTheStoredInstance()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("CT_small.dcm")));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var byKeyword = await QidoAsync(http, $"/dicomweb/studies?StudyInstanceUID={CtStudy}&includefield=StationName,00081090");
        var all = await QidoAsync(http, $"/dicomweb/studies/{CtStudy}/series/{CtSeries}/instances?includefield=all");
        using var bad = await http.GetAsync(new Uri("/dicomweb/studies?includefield=NoSuchKeyword", UriKind.Relative));

        var study = Assert.Single(byKeyword);
        Assert.True(study.TryGetProperty("00081010", out _), "StationName (0008,1010) from the file");
        Assert.True(study.TryGetProperty("00081090", out _), "ManufacturerModelName (0008,1090) from the file");
        var instance = Assert.Single(all);
        Assert.True(instance.TryGetProperty("00180050", out _), "SliceThickness from the file");
        Assert.False(instance.TryGetProperty("7FE00010", out _));
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }

    [Fact]
    public async Task Qido_LimitOffsetAndUnsupportedKeys()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("CT_small.dcm"), File("MR_small.dcm")));
        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);

        var everything = await QidoAsync(http, "/dicomweb/studies?PatientName=CompressedSamples*");
        var second = await QidoAsync(http, "/dicomweb/studies?PatientName=CompressedSamples*&limit=1&offset=1");
        using var warned = await http.GetAsync(new Uri($"/dicomweb/studies?StudyInstanceUID={CtStudy}&fuzzymatching=true&ReceivingAE=X", UriKind.Relative));
        using var badLimit = await http.GetAsync(new Uri("/dicomweb/studies?limit=-1", UriKind.Relative));

        Assert.True(everything.Length >= 2);
        Assert.Equal(Text(everything[1], "0020000D"), Text(Assert.Single(second), "0020000D"));
        Assert.Equal(HttpStatusCode.OK, warned.StatusCode);
        Assert.Contains("fuzzymatching", warned.Headers.GetValues("Warning").Single(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.BadRequest, badLimit.StatusCode);
    }

    [Fact]
    public async Task Wado_InstanceUnderTheWrongSeries_IsNotFound()
    {
        using var http = server.Http();
        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(File("CT_small.dcm")));

        using var wrong = await http.GetAsync(new Uri($"/dicomweb/studies/{CtStudy}/series/1.2.3/instances/{CtInstance}", UriKind.Relative));
        using var wrongMetadata = await http.GetAsync(new Uri($"/dicomweb/studies/{CtStudy}/series/1.2.3/instances/{CtInstance}/metadata", UriKind.Relative));
        using var right = await http.GetAsync(new Uri($"/dicomweb/studies/{CtStudy}/series/{CtSeries}/instances/{CtInstance}/metadata", UriKind.Relative));

        Assert.Equal(HttpStatusCode.NotFound, wrong.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, wrongMetadata.StatusCode);
        Assert.Equal(HttpStatusCode.OK, right.StatusCode);
    }

    [Fact]
    public async Task Stow_InstanceLargerThanAFhirBody_IsStoredAndRetrievedIntact()
    {
        using var http = server.Http();
        // CT_small (explicit VR little endian) plus a private element after the pixel data,
        // making a valid 20 MiB instance: over the 16 MiB FHIR body limit, under the STOW one.
        // Another patient's study: same-length UIDs and ids, so the file stays valid.
        var ct = File("CT_small.dcm");
        foreach (var (from, to) in new[] { (CtInstance, CtInstance[..^2] + "99"), (CtStudy, CtStudy[..^2] + "98"), ("1CT1", "9CT9"), ("Samples^CT1", "Samples^XT9") })
        {
            var old = System.Text.Encoding.ASCII.GetBytes(from);
            for (var at = ct.AsSpan().IndexOf(old); at >= 0; at = ct.AsSpan().IndexOf(old))
                System.Text.Encoding.ASCII.GetBytes(to).CopyTo(ct, at);
        }
        var big = new MemoryStream();
        big.Write(ct);
        big.Write([0xE1, 0x7F, 0x10, 0x00, (byte)'L', (byte)'O', 0x08, 0x00]);
        big.Write("PHR TEST"u8);
        var payload = 20 * 1024 * 1024;
        big.Write([0xE1, 0x7F, 0x10, 0x10, (byte)'O', (byte)'B', 0x00, 0x00]);
        big.Write(BitConverter.GetBytes(payload));
        var filler = new byte[payload];
        new Random(7).NextBytes(filler);
        big.Write(filler);
        var file = big.ToArray();

        using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(file));
        using var retrieved = await http.GetAsync(new Uri($"/dicomweb/studies/{CtStudy[..^2]}98/series/{CtSeries}/instances/{CtInstance[..^2]}99", UriKind.Relative));
        var body = await retrieved.Content.ReadAsByteArrayAsync();

        Assert.Equal(HttpStatusCode.OK, stored.StatusCode);
        Assert.True(body.AsSpan().IndexOf(file) > 0, "the large instance comes back byte for byte");
    }

    /// <summary>
    /// pydicom's dicomdirtests tree: storing every file its DICOMDIR references gives exactly the
    /// studies, series and instances the DICOMDIR lists (PS3.3 F.5 directory records, read
    /// independently of the files).
    /// </summary>
    [Fact]
    public async Task DicomdirTests_ImportedFiles_GiveExactlyTheDicomdirsStudiesSeriesAndInstances()
    {
        var root = Path.Combine(Corpus, "dicomdirtests");
        using var dicomdir = System.IO.File.OpenRead(Path.Combine(root, "DICOMDIR"));
        var records = DicomFile.Open(dicomdir).Dataset.GetSequence(new DicomTag(0x0004, 0x1220))!.Items;
        HashSet<string> Uids(string type, DicomTag tag) =>
            records.Where(r => r.GetString(new DicomTag(0x0004, 0x1430)).Trim() == type).Select(r => r.GetString(tag).Trim()).ToHashSet();
        var studies = Uids("STUDY", DicomTag.StudyInstanceUID);
        var series = Uids("SERIES", DicomTag.SeriesInstanceUID);
        var images = Uids("IMAGE", new DicomTag(0x0004, 0x1511));
        // The files the directory references (ReferencedFileID, components joined by backslash).
        var files = records.Where(r => r.Contains(new DicomTag(0x0004, 0x1500)))
            .Select(r => Path.Combine([root, .. r.GetStrings(new DicomTag(0x0004, 0x1500)).Select(c => c.Trim())]))
            .ToList();

        using var http = server.Http();
        foreach (var chunk in files.Chunk(10))
        {
            using var stored = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), Stow(chunk.Select(System.IO.File.ReadAllBytes).ToArray()));
            var outcome = JsonDocument.Parse(await stored.Content.ReadAsStringAsync()).RootElement;
            Assert.True(stored.StatusCode == HttpStatusCode.OK, outcome.TryGetProperty("00081198", out var failures) ? failures.ToString() : stored.StatusCode.ToString());
        }
        var uidList = string.Join(',', studies);
        var foundStudies = await QidoAsync(http, $"/dicomweb/studies?StudyInstanceUID={uidList}");
        var foundSeries = await QidoAsync(http, $"/dicomweb/series?StudyInstanceUID={uidList}");
        var foundInstances = await QidoAsync(http, $"/dicomweb/instances?StudyInstanceUID={uidList}&limit=1000");

        Assert.Equal(files.Count, images.Count);
        Assert.Equal(studies, foundStudies.Select(s => Text(s, "0020000D")!).ToHashSet());
        Assert.Equal(series, foundSeries.Select(s => Text(s, "0020000E")!).ToHashSet());
        Assert.Equal(images, foundInstances.Select(s => Text(s, "00080018")!).ToHashSet());
        Assert.Equal(images.Count, foundInstances.Length);
    }
}

[Collection(ServerCollection.Name)]
public sealed class DicomWebErrorTests(FhirServerFixture server)
{
    [Fact]
    public async Task Stow_WithBrokenMultipartFraming_Returns400()
    {
        using var http = server.Http();
        var content = new ByteArrayContent("--b\r\nContent-Type: application/dicom\r\n\r\nno end boundary"u8.ToArray());
        content.Headers.TryAddWithoutValidation("Content-Type", "multipart/related; type=\"application/dicom\"; boundary=b");

        using var response = await http.PostAsync(new Uri("/dicomweb/studies", UriKind.Relative), content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
    }
}

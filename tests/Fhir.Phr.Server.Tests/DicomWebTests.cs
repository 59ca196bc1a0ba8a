using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace Fhir.Phr.Server.Tests;

/// <summary>STOW-RS, WADO-RS and QIDO-RS with real files from Debian's python3-pydicom.</summary>
[Collection(ServerCollection.Name)]
public sealed class DicomWebTests(FhirServerFixture server)
{
    private const string Corpus = "/usr/lib/python3/dist-packages/pydicom/data/test_files";

    private static byte[] File(string name) => System.IO.File.ReadAllBytes(Path.Combine(Corpus, name));

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
        using var retrieved = await http.GetAsync(new Uri("/dicomweb/studies/1.3.6.1.4.1.5962.1.2.1.20040119072730.12322/series/x/instances/1.3.6.1.4.1.5962.1.1.1.1.1.20040119072730.12322", UriKind.Relative));
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

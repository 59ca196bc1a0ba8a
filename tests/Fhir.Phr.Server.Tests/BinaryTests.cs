using System.Net;
using System.Net.Http.Headers;
using Hl7.Fhir.Model;
using Hl7.Fhir.Rest;

namespace Fhir.Phr.Server.Tests;

/// <summary>
/// Binary in its own content type (R4 binary.html#rest): written and read as raw bytes unless
/// the client asks for FHIR, with X-Security-Context naming the resource it belongs to.
/// </summary>
[Collection(ServerCollection.Name)]
public sealed class BinaryTests(FhirServerFixture server)
{
    private static readonly byte[] Png = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 1, 2, 3, 4];

    private static ByteArrayContent Native(byte[] data, string contentType, string? securityContext = null)
    {
        var content = new ByteArrayContent(data);
        content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
        if (securityContext is not null)
            content.Headers.Add("X-Security-Context", securityContext);
        return content;
    }

    // What a browser or curl sends: no FHIR type named.
    private static Task<HttpResponseMessage> GetNativeAsync(HttpClient http, Uri url)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.Clear();
        request.Headers.Accept.ParseAdd("*/*");
        return http.SendAsync(request);
    }

    [Fact]
    public async Task PostNative_ThenReadWithoutAskingForFhir_ReturnsTheSameBytesInTheirContentType()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();

        using var created = await http.PostAsync(new Uri("/Binary", UriKind.Relative), Native(Png, "image/png", "Patient/" + patient!.Id));
        using var read = await GetNativeAsync(http, created.Headers.Location!);

        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        Assert.Equal(HttpStatusCode.OK, read.StatusCode);
        Assert.Equal("image/png", read.Content.Headers.ContentType?.MediaType);
        Assert.Equal(Png, await read.Content.ReadAsByteArrayAsync());
        Assert.Equal("Patient/" + patient.Id, read.Headers.GetValues("X-Security-Context").Single());
        Assert.Equal("nosniff", read.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("W/\"1\"", read.Headers.ETag?.ToString());
    }

    [Fact]
    public async Task ReadAskingForFhir_ReturnsTheBinaryResource()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();
        using var created = await http.PostAsync(new Uri("/Binary", UriKind.Relative), Native(Png, "image/png", "Patient/" + patient!.Id));
        var id = created.Headers.Location!.Segments[2].TrimEnd('/');

        var binary = await server.Fhir().ReadAsync<Binary>("Binary/" + id);
        using var formatted = await http.GetAsync(new Uri($"/Binary/{id}?_format=json", UriKind.Relative));

        Assert.Equal("image/png", binary!.ContentType);
        Assert.Equal(Png, binary.Data);
        Assert.Equal("Patient/" + patient.Id, binary.SecurityContext.Reference);
        Assert.Equal("application/fhir+json", formatted.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task PutNative_CreatesWithTheClientId_AndVReadIsNativeToo()
    {
        var patient = await server.Fhir().CreateAsync(TestData.Patient());
        using var http = server.Http();
        var id = TestData.Unique("bin-");

        using var put = await http.PutAsync(new Uri($"/Binary/{id}", UriKind.Relative), Native("hello"u8.ToArray(), "text/plain", "Patient/" + patient!.Id));
        using var vread = await GetNativeAsync(http, new Uri($"/Binary/{id}/_history/1", UriKind.Relative));

        Assert.Equal(HttpStatusCode.Created, put.StatusCode);
        Assert.Equal("text/plain", vread.Content.Headers.ContentType?.MediaType);
        Assert.Equal("hello", await vread.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task PostNative_ToAnotherType_Is415()
    {
        using var http = server.Http();

        using var response = await http.PostAsync(new Uri("/Patient", UriKind.Relative), Native(Png, "image/png"));

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
    }

    [Fact]
    public async Task PostNative_OverTheSizeLimit_Is413()
    {
        using var http = server.Http();
        var tooBig = new byte[17 * 1024 * 1024]; // the default Phr:MaxRequestBytes is 16 MiB

        using var response = await http.PostAsync(new Uri("/Binary", UriKind.Relative), Native(tooBig, "application/pdf"));

        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }
}

using System.Text;

namespace Fhir.Phr.Server.Tests;

[Collection(ServerCollection.Name)]
public sealed class EncryptionAtRestTests(FhirServerFixture server)
{
    [Fact]
    public async Task DataDirectory_NeverHoldsPatientNameOrIdentifierInClear()
    {
        var family = TestData.Unique("Plaintextcheck");
        var mrn = TestData.Unique("MRNCHECK");
        var patient = await server.Fhir().CreateAsync(TestData.Patient(family, mrn));
        await server.Fhir().CreateAsync(TestData.Document($"Patient/{patient!.Id}"));
        var search = await server.Fhir().SearchAsync<Hl7.Fhir.Model.Patient>(new Hl7.Fhir.Rest.SearchParams().Add("family", family));

        var files = Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories).ToList();

        Assert.Single(search!.Entry);
        Assert.NotEmpty(files);
        Assert.Empty(HitsInDataDirectory(family, family.ToLowerInvariant(), mrn));
    }

    [Fact]
    public async Task IngestBookkeeping_FileNamesAndResults_AreNotInClear()
    {
        // Senders name files after patients, and the outcome names every part by its file name.
        var fileName = TestData.Unique("Plaintextfile") + "-discharge.ndjson";
        using var form = new MultipartFormDataContent();
        form.Add(new ByteArrayContent("{\"resourceType\":\"Patient\",\"gender\":\"robot\"}\n{}\n"u8.ToArray()), "files", fileName);

        var (status, outcome) = await IngestClient.IngestAsync(server, form);

        Assert.Equal(System.Net.HttpStatusCode.OK, status);
        Assert.Contains(outcome!.Issue, i => i.Location.Single().Contains(fileName, StringComparison.Ordinal));
        Assert.Empty(HitsInDataDirectory(fileName));
    }

    private List<string> HitsInDataDirectory(params string[] secrets)
    {
        var hits = new List<string>();
        foreach (var file in Directory.EnumerateFiles(server.DataDirectory, "*", SearchOption.AllDirectories))
        {
            byte[] bytes;
            using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                using var buffer = new MemoryStream();
                stream.CopyTo(buffer);
                bytes = buffer.ToArray();
            }
            foreach (var secret in secrets)
            {
                if (IndexOf(bytes, Encoding.UTF8.GetBytes(secret)) >= 0 || IndexOf(bytes, Encoding.Unicode.GetBytes(secret)) >= 0)
                    hits.Add($"{Path.GetFileName(file)} contains {secret}");
            }
        }
        return hits;
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}

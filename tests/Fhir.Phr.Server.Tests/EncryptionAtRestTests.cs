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
        var hits = new List<string>();
        foreach (var file in files)
        {
            byte[] bytes;
            await using (var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete))
            {
                using var buffer = new MemoryStream();
                await stream.CopyToAsync(buffer);
                bytes = buffer.ToArray();
            }
            foreach (var secret in new[] { family, family.ToLowerInvariant(), mrn })
            {
                if (IndexOf(bytes, Encoding.UTF8.GetBytes(secret)) >= 0 || IndexOf(bytes, Encoding.Unicode.GetBytes(secret)) >= 0)
                    hits.Add($"{Path.GetFileName(file)} contains {secret}");
            }
        }

        Assert.Single(search!.Entry);
        Assert.NotEmpty(files);
        Assert.Empty(hits);
    }

    private static int IndexOf(byte[] haystack, byte[] needle) => haystack.AsSpan().IndexOf(needle);
}

using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Ccda;

/// <summary>Checks that a converted resource is valid FHIR R4 and keeps the PHR profiles' promises (profiles/).</summary>
internal static class R4Conformance
{
    private static readonly FhirJsonDeserializer Json = new();
    private static readonly FhirXmlDeserializer Xml = new();

    /// <summary>
    /// The SDK's deserialisers check cardinality, primitive formats and choice types as they read; a resource that survives a JSON
    /// and an XML round trip unchanged is structurally valid R4. The profiles add: a Patient has an identifier and a name, a
    /// DocumentReference has a type, a date and a content type on every attachment (its subject is checked by the callers, as
    /// a document without an identified patient is a legitimate converter outcome).
    /// </summary>
    public static void AssertValid(Resource resource)
    {
        var json = resource.ToJson();
        Assert.True(Json.Deserialize<Resource>(json).IsExactly(resource), json);
        Assert.True(Xml.Deserialize<Resource>(resource.ToXml()).IsExactly(resource), json);
        switch (resource)
        {
            case DocumentReference document:
                Assert.NotNull(document.Type);
                Assert.NotEmpty(document.Content);
                Assert.All(document.Content, c => Assert.False(string.IsNullOrEmpty(c.Attachment.ContentType)));
                break;
        }
    }
}

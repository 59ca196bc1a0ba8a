using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;
using Hl7.Fhir.Serialization;

namespace Fhir.Phr.Import.Tests.Hl7v2;

public sealed class Hl7CorpusTests
{
    public static TheoryData<string> WellFormedFiles => new(Hl7Corpus.WellFormedFiles());

    [Fact]
    public void Corpus_HasAtLeastThirtyDistinctMessages()
    {
        var messages = Hl7Corpus.WellFormedFiles().SelectMany(Hl7Corpus.Parse).ToList();

        Assert.True(messages.Select(m => m.ToString()).Distinct(StringComparer.Ordinal).Count() >= 30, $"{messages.Count} messages");
        var events = messages.Select(m => $"{m.MessageType}^{m.TriggerEvent}").ToHashSet();
        Assert.Superset(new HashSet<string> { "ADT^A01", "ADT^A04", "ADT^A05", "ADT^A08", "ADT^A28", "ADT^A31", "ADT^A40", "MDM^T02", "MDM^T04", "ORU^R01" }, events);
    }

    [Theory]
    [MemberData(nameof(WellFormedFiles))]
    public void Convert_WellFormedFile_ResourcesSerializeAndEveryPatientIsIdentifiedOrExplained(string file)
    {
        foreach (var message in Hl7Corpus.Parse(file))
        {
            var result = Hl7v2ToFhir.Convert(message);

            Assert.All(result.Issues, i => Assert.Equal(message.Index, i.MessageIndex));
            foreach (var resource in result.Resources)
            {
                var json = resource.ToJson();
                var parsed = new FhirJsonDeserializer().Deserialize<Resource>(json);
                Assert.True(parsed.IsExactly(resource), $"{file}: {json}");
            }

            foreach (var patient in result.Resources.OfType<Patient>())
            {
                Assert.True(patient.Name.Count > 0 || result.Issues.Any(i => i.Code == Hl7IssueCode.MissingPatientName), file);
                Assert.True(patient.Identifier.Count > 0 || result.Issues.Any(i => i.Code == Hl7IssueCode.MissingPatientIdentifier), file);
            }

            Assert.True(result.Resources.Count > 0 || result.Issues.Count > 0, $"{file}: nothing produced and nothing said");
        }
    }

    [Theory]
    [InlineData("bad-no-msh.hl7", Hl7IssueCode.NoMessageHeader)]
    [InlineData("bad-truncated.hl7", Hl7IssueCode.MissingRequiredHeaderField)]
    [InlineData("bad-garbage.hl7", Hl7IssueCode.NoMessageHeader)]
    [InlineData("bad-invalid-delimiters.hl7", Hl7IssueCode.InvalidMessageHeader)]
    public void TryParse_BadFile_ReturnsFalseWithCodedError(string file, Hl7IssueCode expected)
    {
        var ok = Hl7Parser.TryParse(Hl7Corpus.Read(file), out var messages, out var issues);

        Assert.False(ok);
        Assert.Contains(issues, i => i.Code == expected && i.Severity == Hl7IssueSeverity.Error);
        Assert.All(messages, m => Hl7v2ToFhir.Convert(m));
    }

    [Theory]
    [InlineData("adt-a01-basic.hl7", "\r", "\n")]
    [InlineData("adt-a04-register.hl7", "\n", "\r")]
    [InlineData("adt-a05-preadmit.hl7", "\r\n", null)]
    public void Corpus_TerminatorVariants_AreReallyInTheFiles(string file, string terminator, string? absent)
    {
        var text = System.Text.Encoding.UTF8.GetString(Hl7Corpus.Read(file));

        Assert.Contains(terminator + "EVN|", text, StringComparison.Ordinal);
        if (absent is not null)
        {
            Assert.DoesNotContain(absent, text, StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Convert_ZSegments_StayReadableAndAreIgnoredWithoutIssues()
    {
        var message = Hl7Corpus.Single("adt-a01-zsegments.hl7");

        var result = Hl7v2ToFhir.Convert(message);

        Assert.Equal(["MSH", "EVN", "PID", "ZPI", "PV1", "ZBE"], message.Segments.Select(s => s.Name));
        Assert.Equal("Very important", message["ZPI"].Field(2).Component(2).Value);
        Assert.Equal("INSERT", message["ZBE"].Field(4).Value);
        Assert.Empty(result.Issues);
        Assert.IsType<Patient>(Assert.Single(result.Resources));
    }
}

namespace Fhir.Phr.Protection.Tests;

public sealed class BlindIndexerTests
{
    [Theory]
    [InlineData("  Müller  ", "muller")]
    [InlineData("ÉLODIE", "elodie")]
    [InlineData("van  der\tBerg", "van der berg")]
    [InlineData("", "")]
    public void Normalize_FoldsCaseAccentsAndSpaces(string input, string expected) =>
        Assert.Equal(expected, BlindIndexer.Normalize(input));

    [Fact]
    public void Blind_IsDeterministicPerKeyAndDomain()
    {
        var indexer = new BlindIndexer(MasterKey.FromBytes(new byte[32]));
        var other = new BlindIndexer(MasterKey.FromBytes(Enumerable.Repeat((byte)1, 32).ToArray()));

        Assert.Equal(indexer.Blind("name", "anna"), indexer.Blind("name", "anna"));
        Assert.NotEqual(indexer.Blind("name", "anna"), indexer.Blind("family", "anna"));
        Assert.NotEqual(indexer.Blind("name", "anna"), other.Blind("name", "anna"));
        Assert.DoesNotContain("anna", indexer.Blind("name", "anna"), StringComparison.Ordinal);
    }
}

using Fhir.Phr.Core.Search;

namespace Fhir.Phr.Core.Tests.Search;

public sealed class PhoneticTests
{
    // Reference values from the US National Archives' Soundex description.
    [Theory]
    [InlineData("Robert", "R163")]
    [InlineData("Rupert", "R163")]
    [InlineData("Rubin", "R150")]
    [InlineData("Ashcraft", "A261")]
    [InlineData("Tymczak", "T522")]
    [InlineData("Pfister", "P236")]
    [InlineData("Lee", "L000")]
    [InlineData("Müller", "M460")]
    public void Keys_FollowAmericanSoundex(string name, string expected) =>
        Assert.Equal([expected], Phonetic.Keys(name));

    [Fact]
    public void Keys_OnePerWord_AndNoneWithoutLetters()
    {
        Assert.Equal(["V500", "B620"], Phonetic.Keys("van Berg"));
        Assert.Empty(Phonetic.Keys("123 --"));
    }
}

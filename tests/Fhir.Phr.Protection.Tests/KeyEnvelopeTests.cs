using System.Security.Cryptography;

namespace Fhir.Phr.Protection.Tests;

/// <summary>The CP-ABE key envelope of a patient record, and the authority that issues attribute keys.</summary>
public sealed class KeyEnvelopeTests
{
    private static readonly KeyAuthority Authority = KeyAuthority.CreateEphemeral();

    [Fact]
    public void Envelope_OpensForEveryAttributeThePolicyNames()
    {
        var dataKey = KeyEnvelope.NewDataKey();
        var envelope = KeyEnvelope.Seal(Authority.PublicKey, RecordPolicy.For("p1", 3), dataKey);

        foreach (var attribute in new[] { RecordPolicy.Owner("p1"), RecordPolicy.Grant("p1", 3), RecordPolicy.Emergency("p1"), RecordPolicy.SystemAttribute })
        {
            Assert.True(KeyEnvelope.TryOpen(Authority.KeyFor([attribute]), envelope, out var opened), attribute);
            Assert.Equal(dataKey, opened);
        }
    }

    [Theory]
    [InlineData("owner:p2")]
    [InlineData("grant:p1:e2")]
    [InlineData("grant:p2:e3")]
    [InlineData("emergency:p2")]
    [InlineData("role:physician")]
    public void Envelope_StaysShutForOtherAttributes(string attribute)
    {
        var envelope = KeyEnvelope.Seal(Authority.PublicKey, RecordPolicy.For("p1", 3), KeyEnvelope.NewDataKey());

        Assert.False(KeyEnvelope.TryOpen(Authority.KeyFor([attribute, "owner:p3"]), envelope, out var opened));
        Assert.Empty(opened);
    }

    [Fact]
    public void UnownedRecord_IsForTheSystemRoleOnly()
    {
        var envelope = KeyEnvelope.Seal(Authority.PublicKey, RecordPolicy.For(null, 0), KeyEnvelope.NewDataKey());

        Assert.Equal("\"role:system\"", KeyEnvelope.PolicyOf(envelope));
        Assert.True(KeyEnvelope.TryOpen(Authority.KeyFor([RecordPolicy.SystemAttribute]), envelope, out _));
        Assert.False(KeyEnvelope.TryOpen(Authority.KeyFor([RecordPolicy.Owner("p1")]), envelope, out _));
    }

    [Fact]
    public void Envelope_AnyFlippedBit_FailsOrIsRejected()
    {
        var envelope = KeyEnvelope.Seal(Authority.PublicKey, RecordPolicy.For("p1", 0), KeyEnvelope.NewDataKey());
        var key = Authority.KeyFor([RecordPolicy.Owner("p1")]);
        var positions = new[] { 0, 3, 10, 100, envelope.Length / 2, envelope.Length - 60, envelope.Length - 40, envelope.Length - 1 };
        foreach (var position in positions)
        {
            var tampered = envelope.ToArray();
            tampered[position] ^= 0x04;
            var opened = false;
            try
            {
                opened = KeyEnvelope.TryOpen(key, tampered, out _);
            }
            catch (FormatException)
            {
            }
            Assert.False(opened, $"bit flipped at {position}");
        }
    }

    [Fact]
    public void Envelope_Truncated_IsAFormatError() =>
        Assert.Throws<FormatException>(() => KeyEnvelope.TryOpen(Authority.KeyFor(["x"]), new byte[40], out _));

    [Fact]
    public void Authority_PersistsWrappedUnderTheMasterKey()
    {
        var directory = Directory.CreateTempSubdirectory("phr-authority-");
        try
        {
            var path = Path.Combine(directory.FullName, "abe-authority.key");
            var master = MasterKey.FromBytes(RandomNumberGenerator.GetBytes(32));
            var first = KeyAuthority.LoadOrCreate(path, master);
            var envelope = KeyEnvelope.Seal(first.PublicKey, RecordPolicy.For("p1", 0), KeyEnvelope.NewDataKey());

            var again = KeyAuthority.LoadOrCreate(path, master);

            Assert.True(KeyEnvelope.TryOpen(again.KeyFor([RecordPolicy.Owner("p1")]), envelope, out _));
            if (!OperatingSystem.IsWindows())
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
            var other = MasterKey.FromBytes(RandomNumberGenerator.GetBytes(32));
            var error = Assert.Throws<InvalidOperationException>(() => KeyAuthority.LoadOrCreate(path, other));
            Assert.Contains("master key", error.Message, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(true);
        }
    }

    [Fact]
    public void Authority_CachesKeysPerAttributeSet()
    {
        Assert.Same(Authority.KeyFor(["b", "a"]), Authority.KeyFor(["a", "b", "a"]));
        Assert.NotSame(Authority.KeyFor(["a"]), Authority.KeyFor(["a", "b"]));
    }
}

using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Protection.Tests;

public sealed class PayloadProtectorTests
{
    private static readonly MasterKey Key = MasterKey.FromBytes(RandomNumberGenerator.GetBytes(32));
    private static readonly PayloadProtector Protector = new(Key, new ProtectionOptions());
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Secret\"}]}");

    [Fact]
    public void Protect_ThenUnprotect_RoundTrips()
    {
        var context = new PayloadContext("Patient", "p1", 1);

        var stored = Protector.Protect(context, Plaintext);

        Assert.Equal(Plaintext, Protector.Unprotect(context, stored));
        Assert.DoesNotContain("Secret", Encoding.UTF8.GetString(stored), StringComparison.Ordinal);
    }

    [Fact]
    public void Protect_Twice_GivesDifferentCiphertexts()
    {
        var context = new PayloadContext("Patient", "p1", 1);

        Assert.NotEqual(Protector.Protect(context, Plaintext), Protector.Protect(context, Plaintext));
    }

    [Theory]
    [InlineData("Patient", "p2", 1)]
    [InlineData("Patient", "p1", 2)]
    [InlineData("DocumentReference", "p1", 1)]
    public void Unprotect_UnderAnotherTypeIdOrVersion_Fails(string type, string id, int version)
    {
        var stored = Protector.Protect(new PayloadContext("Patient", "p1", 1), Plaintext);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(new PayloadContext(type, id, version), stored));
    }

    [Fact]
    public void Unprotect_WithAnyFlippedBit_Fails()
    {
        var context = new PayloadContext("Patient", "p1", 1);
        var stored = Protector.Protect(context, Plaintext);

        for (var i = 1; i < stored.Length; i += 7)
        {
            var tampered = (byte[])stored.Clone();
            tampered[i] ^= 0x01;
            Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(context, tampered));
        }
    }

    [Fact]
    public void Unprotect_WithAnotherMasterKey_Fails()
    {
        var context = new PayloadContext("Patient", "p1", 1);
        var other = new PayloadProtector(MasterKey.FromBytes(RandomNumberGenerator.GetBytes(32)), new ProtectionOptions());

        Assert.Throws<PayloadIntegrityException>(() => other.Unprotect(context, Protector.Protect(context, Plaintext)));
    }

    [Fact]
    public void Unprotect_PlainPayloadWhileProtectionIsOn_IsRefused()
    {
        var context = new PayloadContext("Patient", "p1", 1);
        var plain = new PayloadProtector(Key, new ProtectionOptions { DisabledForBenchmarks = true }).Protect(context, Plaintext);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(context, plain));
    }

    [Fact]
    public void IdsThatConcatenateAlike_AreBoundDifferently()
    {
        var stored = Protector.Protect(new PayloadContext("Patient", "ab", 1), Plaintext);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(new PayloadContext("Patienta", "b", 1), stored));
    }
}

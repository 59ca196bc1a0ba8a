using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Protection.Tests;

public sealed class PayloadProtectorTests
{
    private static readonly byte[] DataKey = KeyEnvelope.NewDataKey();
    private static readonly PayloadProtector Protector = new(new ProtectionOptions());
    private static readonly byte[] Plaintext = Encoding.UTF8.GetBytes("{\"resourceType\":\"Patient\",\"name\":[{\"family\":\"Secret\"}]}");

    [Fact]
    public void Protect_ThenUnprotect_RoundTrips()
    {
        var context = new PayloadContext("Patient", "p1", 1, 7);

        var stored = Protector.Protect(context, DataKey, Plaintext);

        Assert.Equal(Plaintext, Protector.Unprotect(context, DataKey, stored));
        Assert.Equal(-1, stored.AsSpan().IndexOf("Secret"u8));
    }

    [Fact]
    public void Protect_UsesAFreshNonceEachTime()
    {
        var context = new PayloadContext("Patient", "p1", 1, 7);

        Assert.NotEqual(Protector.Protect(context, DataKey, Plaintext), Protector.Protect(context, DataKey, Plaintext));
    }

    [Theory]
    [InlineData("Patient", "p2", 1, 7)]
    [InlineData("Patient", "p1", 2, 7)]
    [InlineData("DocumentReference", "p1", 1, 7)]
    [InlineData("Patient", "p1", 1, 8)]
    public void Unprotect_UnderAnotherTypeIdVersionOrEnvelope_Fails(string type, string id, int version, long envelope)
    {
        var stored = Protector.Protect(new PayloadContext("Patient", "p1", 1, 7), DataKey, Plaintext);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(new PayloadContext(type, id, version, envelope), DataKey, stored));
    }

    [Fact]
    public void Unprotect_AnyFlippedBit_Fails()
    {
        var context = new PayloadContext("Patient", "p1", 1, 7);
        var stored = Protector.Protect(context, DataKey, Plaintext);
        for (var i = 0; i < stored.Length; i += 7)
        {
            var tampered = stored.ToArray();
            tampered[i] ^= 0x01;
            Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(context, DataKey, tampered));
        }
    }

    [Fact]
    public void Unprotect_WithAnotherDataKey_Fails()
    {
        var context = new PayloadContext("Patient", "p1", 1, 7);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(context, KeyEnvelope.NewDataKey(), Protector.Protect(context, DataKey, Plaintext)));
    }

    [Fact]
    public void PlainBenchmarkPayload_IsRefusedWhileProtectionIsOn()
    {
        var context = new PayloadContext("Patient", "p1", 1, 7);
        var plain = new PayloadProtector(new ProtectionOptions { DisabledForBenchmarks = true }).Protect(context, DataKey, Plaintext);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(context, DataKey, plain));
    }

    [Fact]
    public void AssociatedData_IsLengthPrefixed()
    {
        var stored = Protector.Protect(new PayloadContext("Patient", "ab", 1, 7), DataKey, Plaintext);

        Assert.Throws<PayloadIntegrityException>(() => Protector.Unprotect(new PayloadContext("Patienta", "b", 1, 7), DataKey, stored));
    }

    [Fact]
    public void WrongDataKeyLength_IsRejected() =>
        Assert.Throws<ArgumentException>(() => Protector.Protect(new PayloadContext("Patient", "p1", 1, 7), new byte[16], Plaintext));
}

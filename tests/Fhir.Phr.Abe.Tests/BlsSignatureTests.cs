using System.Text;
using static Fhir.Phr.Abe.Tests.TestVectors;

namespace Fhir.Phr.Abe.Tests;

public sealed class BlsSignatureTests
{
    [Fact]
    public void SignAndVerify_MatchNoble()
    {
        var set = Json.GetProperty("blsMinPk");
        Assert.Equal(BlsSignature.Dst, set.GetProperty("dst").GetString());

        foreach (var v in set.GetProperty("cases").EnumerateArray())
        {
            var sk = ScalarOf(v.GetProperty("label").GetString()!);
            var msg = Encoding.UTF8.GetBytes(v.GetProperty("msg").GetString()!);

            Assert.Equal(v.GetProperty("publicKey").GetString(), ToHex(BlsSignature.PublicKey(sk)));
            Assert.Equal(v.GetProperty("signature").GetString(), ToHex(BlsSignature.Sign(sk, msg)));
            Assert.True(BlsSignature.Verify(Hex(v.GetProperty("publicKey").GetString()!), msg, Hex(v.GetProperty("signature").GetString()!)));
        }
    }

    [Fact]
    public void Verify_RejectsWrongMessageKeyOrBytes()
    {
        var sk = ScalarOf("bls-neg");
        var pk = BlsSignature.PublicKey(sk);
        var msg = "hello"u8.ToArray();
        var sig = BlsSignature.Sign(sk, msg);
        var tampered = (byte[])sig.Clone();
        tampered[50] ^= 1;

        Assert.True(BlsSignature.Verify(pk, msg, sig));
        Assert.False(BlsSignature.Verify(pk, "hellp"u8, sig));
        Assert.False(BlsSignature.Verify(BlsSignature.PublicKey(ScalarOf("other")), msg, sig));
        Assert.False(BlsSignature.Verify(pk, msg, tampered));
        Assert.False(BlsSignature.Verify(G1Point.Identity.ToCompressed(), msg, G2Point.Identity.ToCompressed()));
        Assert.False(BlsSignature.Verify(pk.AsSpan(1), msg, sig));
    }
}

using System.Text;
using Fhir.Phr.Abe.Math;
using static Fhir.Phr.Abe.Tests.TestVectors;

namespace Fhir.Phr.Abe.Tests;

public sealed class HashToCurveTests
{
    [Fact]
    public void ExpandMessageXmd_MatchesRfc9380AppendixK1()
    {
        // RFC 9380 K.1, msg = "", len_in_bytes = 0x20.
        var dst = "QUUX-V01-CS02-with-expander-SHA256-128"u8;
        Assert.Equal("68a985b87eb6b46952128911f2a4412bbc302a9d759667f87f7a21d803f07235",
            ToHex(HashToCurve.ExpandMessageXmd([], dst, 0x20)));

        foreach (var v in Array("expandMessageXmd"))
        {
            var output = HashToCurve.ExpandMessageXmd(Encoding.UTF8.GetBytes(v.GetProperty("msg").GetString()!),
                Encoding.UTF8.GetBytes(v.GetProperty("dst").GetString()!), v.GetProperty("len").GetInt32());

            Assert.Equal(v.GetProperty("out").GetString(), ToHex(output));
        }
    }

    [Fact]
    public void HashToG1_MatchesRfc9380J91AndNoble()
    {
        // RFC 9380 J.9.1, msg = "": P.x.
        var p0 = G1Point.HashToCurve([], "QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"u8);
        Assert.StartsWith("052926add2207b76ca4fa57a8734416c8dc95e24501772c814278700eed6d1e4e8cf62d9c09db0fac349612b759e79a1", ToHex(p0.ToUncompressed()));

        foreach (var v in Array("hashToG1"))
        {
            var p = G1Point.HashToCurve(Encoding.UTF8.GetBytes(v.GetProperty("msg").GetString()!), Encoding.UTF8.GetBytes(v.GetProperty("dst").GetString()!));

            Assert.Equal(v.GetProperty("uncompressed").GetString(), ToHex(p.ToUncompressed()));
            Assert.True(G1Point.IsInSubgroup(p.P));
        }
    }

    [Fact]
    public void HashToG2_MatchesRfc9380J101AndNoble()
    {
        foreach (var v in Array("hashToG2"))
        {
            var p = G2Point.HashToCurve(Encoding.UTF8.GetBytes(v.GetProperty("msg").GetString()!), Encoding.UTF8.GetBytes(v.GetProperty("dst").GetString()!));

            Assert.Equal(v.GetProperty("uncompressed").GetString(), ToHex(p.ToUncompressed()));
            Assert.True(G2Point.IsInSubgroup(p.P));
        }
    }

    [Fact]
    public void HashToG2_MatchesRfc9380J101_WithoutNoble()
    {
        // RFC 9380 J.10.1, msg = "": u[0] and P (P.x = x0 + x1·u; the encoding puts x1 first).
        var dst = "QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_"u8;
        var u = HashToCurve.HashToFieldFp2([], dst, 2);
        Assert.Equal("03dbc2cce174e91ba93cbb08f26b917f98194a2ea08d1cce75b2b9cc9f21689d80bd79b594a613d0a68eb807dfdc1cf8", ToHex(u[0].C0.ToBytes()));
        Assert.Equal("05a2acec64114845711a54199ea339abd125ba38253b70a92c876df10598bd1986b739cad67961eb94f7076511b3b39a", ToHex(u[0].C1.ToBytes()));

        var p = G2Point.HashToCurve([], dst).ToUncompressed();

        Assert.Equal("0141ebfbdca40eb85b87142e130ab689c673cf60f1a3e98d69335266f30d9b8d4ac44c1038e9dcdd5393faf5c41fb78a", ToHex(p[48..96]));
        Assert.Equal("05cb8437535e20ecffaef7752baddf98034139c38452458baeefab379ba13dff5bf5dd71b72418717047f5b0f37da03d", ToHex(p[..48]));
        Assert.Equal("0503921d7f6a12805e72940b963c0cf3471c7b2a524950ca195d11062ee75ec076daf2d4bc358c4b190c0c98064fdd92", ToHex(p[144..]));
        Assert.Equal("12424ac32561493f3fe3c260708a12b7c620e7be00099a974e259ddc7d1f6395c3c811cdd19f1e8dbf3e9ecfdcbab8d6", ToHex(p[96..144]));
    }

    [Fact]
    public void HashToFieldG1_MatchesRfc9380J91()
    {
        var u = HashToCurve.HashToFieldFp([], "QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"u8, 2);

        Assert.Equal("0ba14bd907ad64a016293ee7c2d276b8eae71f25a4b941eece7b0d89f17f75cb3ae5438a614fb61d6835ad59f29c564f", ToHex(u[0].ToBytes()));
        Assert.Equal("019b9bd7979f12657976de2884c7cce192b82c177c80e0ec604436a7f538d231552f0d96d9f7babe5fa3b19b3ff25ac9", ToHex(u[1].ToBytes()));
    }

    [Fact]
    public void ExpandMessageXmd_RejectsOversizedOutputs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HashToCurve.ExpandMessageXmd([], "d"u8, 256 * 32));
    }
}

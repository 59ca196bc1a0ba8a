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

    [Theory]
    // RFC 9380 J.9.1: Q0 = map_to_curve(u[0]), Q1 = map_to_curve(u[1]), before clear_cofactor.
    [InlineData("",
        "11a3cce7e1d90975990066b2f2643b9540fa40d6137780df4e753a8054d07580db3b7f1f03396333d4a359d1fe3766fe",
        "0eeaf6d794e479e270da10fdaf768db4c96b650a74518fc67b04b03927754bac66f3ac720404f339ecdcc028afa091b7",
        "160003aaf1632b13396dbad518effa00fff532f604de1a7fc2082ff4cb0afa2d63b2c32da1bef2bf6c5ca62dc6b72f9c",
        "0d8bb2d14e20cf9f6036152ed386d79189415b6d015a20133acb4e019139b94e9c146aaad5817f866c95d609a361735e")]
    [InlineData("abc",
        "125435adce8e1cbd1c803e7123f45392dc6e326d292499c2c45c5865985fd74fe8f042ecdeeec5ecac80680d04317d80",
        "0e8828948c989126595ee30e4f7c931cbd6f4570735624fd25aef2fa41d3f79cfb4b4ee7b7e55a8ce013af2a5ba20bf2",
        "11def93719829ecda3b46aa8c31fc3ac9c34b428982b898369608e4f042babee6c77ab9218aad5c87ba785481eff8ae4",
        "0007c9cef122ccf2efd233d6eb9bfc680aa276652b0661f4f820a653cec1db7ff69899f8e52b8e92b025a12c822a6ce6")]
    public void MapToG1Curve_MatchesRfc9380J91(string msg, string q0x, string q0y, string q1x, string q1y)
    {
        var u = HashToCurve.HashToFieldFp(Encoding.UTF8.GetBytes(msg), "QUUX-V01-CS02-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"u8, 2);

        var (x0, y0) = HashToCurve.MapToG1Curve(u[0]).ToAffine();
        var (x1, y1) = HashToCurve.MapToG1Curve(u[1]).ToAffine();

        Assert.Equal(q0x, ToHex(x0.ToBytes()));
        Assert.Equal(q0y, ToHex(y0.ToBytes()));
        Assert.Equal(q1x, ToHex(x1.ToBytes()));
        Assert.Equal(q1y, ToHex(y1.ToBytes()));
    }

    [Fact]
    public void MapToG1Curve_AgreesWithAffineReference()
    {
        // Random u, plus the inputs where Z²u⁴ + Zu² = 0 (u = 0 and u² = -1/Z, a square since both
        // -1 and Z = 11 are non-squares mod p), which take the exceptional branch of §6.6.2.
        var rng = new Random(9380);
        var inputs = new List<Fp> { Fp.Zero };
        Assert.True((-Fp.FromUInt64(11)).Invert().TrySqrt(out var exceptional));
        inputs.Add(exceptional);
        inputs.Add(-exceptional);
        var wide = new byte[64];
        for (int i = 0; i < 300; i++)
        {
            rng.NextBytes(wide);
            inputs.Add(Fp.FromWide(wide));
        }

        foreach (var u in inputs)
        {
            var mapped = HashToCurve.MapToG1Curve(u);

            Assert.True(mapped.IsOnCurve);
            Assert.Equal(ReferenceMapToG1(u), mapped.ToAffine());
        }
    }

    /// <summary>
    /// map_to_curve_simple_swu as written in RFC 9380 §6.6.2 (affine, with inv0 and one or two square
    /// roots) followed by the affine 11-isogeny of Appendix E.2: slow but close to the text.
    /// </summary>
    private static (Fp X, Fp Y) ReferenceMapToG1(Fp u)
    {
        static Fp FromHex(string hex) => Fp.FromCanonical(Limbs.FromHex(hex, 6));
        static Fp Evaluate(string[] ascending, Fp x) =>
            ascending.Reverse().Aggregate(Fp.Zero, (acc, k) => acc * x + FromHex(k));

        var a = FromHex("144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d");
        var b = FromHex("12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0");
        var z = Fp.FromUInt64(11);
        Fp G(Fp x) => x.Square() * x + a * x + b;

        var zu2 = z * u.Square();
        var tv1 = (zu2.Square() + zu2).Invert();
        var x1 = tv1.IsZero ? b * (z * a).Invert() : -b * a.Invert() * (Fp.One + tv1);
        var x = x1;
        if (!G(x1).TrySqrt(out var y))
        {
            x = zu2 * x1;
            Assert.True(G(x).TrySqrt(out y));
        }
        if (u.IsOdd != y.IsOdd) y = -y;

        return (Evaluate(IsogenyConstants.G1XNum, x) * Evaluate(IsogenyConstants.G1XDen, x).Invert(),
            y * Evaluate(IsogenyConstants.G1YNum, x) * Evaluate(IsogenyConstants.G1YDen, x).Invert());
    }

    [Fact]
    public void ExpandMessageXmd_RejectsOversizedOutputs()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => HashToCurve.ExpandMessageXmd([], "d"u8, 256 * 32));
    }
}

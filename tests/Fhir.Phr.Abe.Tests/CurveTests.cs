using static Fhir.Phr.Abe.Tests.TestVectors;

namespace Fhir.Phr.Abe.Tests;

public sealed class CurveTests
{
    [Fact]
    public void Generators_EncodeAsNoble()
    {
        var gen = Json.GetProperty("generator");

        Assert.Equal(gen.GetProperty("g1Compressed").GetString(), ToHex(G1Point.Generator.ToCompressed()));
        Assert.Equal(gen.GetProperty("g2Compressed").GetString(), ToHex(G2Point.Generator.ToCompressed()));
        Assert.True(G1Point.Generator.P.IsOnCurve);
        Assert.True(G2Point.Generator.P.IsOnCurve);
    }

    [Fact]
    public void G1Multiples_MatchNoble()
    {
        foreach (var v in Array("g1"))
        {
            var p = G1Point.Generator.Multiply(ScalarOf(v.GetProperty("label").GetString()!));

            Assert.Equal(v.GetProperty("compressed").GetString(), ToHex(p.ToCompressed()));
            Assert.Equal(v.GetProperty("uncompressed").GetString(), ToHex(p.ToUncompressed()));
            Assert.Equal(p, G1Point.FromCompressed(Hex(v.GetProperty("compressed").GetString()!)));
            Assert.Equal(p, G1Point.FromUncompressed(Hex(v.GetProperty("uncompressed").GetString()!)));
        }
    }

    [Fact]
    public void G2Multiples_MatchNoble()
    {
        foreach (var v in Array("g2"))
        {
            var p = G2Point.Generator.Multiply(ScalarOf(v.GetProperty("label").GetString()!));

            Assert.Equal(v.GetProperty("compressed").GetString(), ToHex(p.ToCompressed()));
            Assert.Equal(v.GetProperty("uncompressed").GetString(), ToHex(p.ToUncompressed()));
            Assert.Equal(p, G2Point.FromCompressed(Hex(v.GetProperty("compressed").GetString()!)));
            Assert.Equal(p, G2Point.FromUncompressed(Hex(v.GetProperty("uncompressed").GetString()!)));
        }
    }

    [Fact]
    public void GroupLaw_IsConsistent()
    {
        var g = G1Point.Generator;
        var two = Scalar.FromUInt64(2);
        var three = Scalar.FromUInt64(3);

        Assert.Equal(g.Double(), g.Add(g));
        Assert.Equal(g.Multiply(two), g.Double());
        Assert.Equal(g.Multiply(three), g.Double().Add(g));
        Assert.Equal(G1Point.Identity, g.Add(g.Negate()));
        Assert.Equal(g, g.Add(G1Point.Identity));
        Assert.Equal(G1Point.Identity, g.Multiply(Scalar.Zero));
        Assert.Equal(G1Point.Identity, g.Multiply(-Scalar.One).Add(g));
        Assert.NotEqual(g, g.Double());
        var h = G2Point.Generator;
        Assert.Equal(h.Multiply(three), h.Double().Add(h));
        Assert.Equal(G2Point.Identity, h.Add(h.Negate()));
        Assert.Equal(h.Multiply(-Scalar.One), h.Negate());
    }

    [Fact]
    public void ScalarMultiplication_IsLinear()
    {
        var a = ScalarOf("x");
        var b = ScalarOf("y");
        var g = G1Point.Generator;
        var h = G2Point.Generator;

        Assert.Equal(g.Multiply(a + b), g.Multiply(a).Add(g.Multiply(b)));
        Assert.Equal(g.Multiply(a * b), g.Multiply(a).Multiply(b));
        Assert.Equal(h.Multiply(a * b), h.Multiply(b).Multiply(a));
    }

    [Fact]
    public void Identity_RoundTrips()
    {
        Assert.Equal("c0" + new string('0', 94), ToHex(G1Point.Identity.ToCompressed()));
        Assert.True(G1Point.FromCompressed(G1Point.Identity.ToCompressed()).IsIdentity);
        Assert.True(G2Point.FromCompressed(G2Point.Identity.ToCompressed()).IsIdentity);
        Assert.True(G1Point.FromUncompressed(G1Point.Identity.ToUncompressed()).IsIdentity);
        Assert.True(G2Point.FromUncompressed(G2Point.Identity.ToUncompressed()).IsIdentity);
    }

    public static TheoryData<string> InvalidG1 => new()
    {
        "", // wrong length
        "17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb", // no compression flag
        "e0" + new string('0', 94), // infinity with sort flag
        "c0" + new string('0', 92) + "01", // infinity with non-zero x
        "9a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab", // x = p
        "800000000000000000000000000000000000000000000000000000000000000000000000000000000000000000000001", // x = 1: off the curve (5 is not a square)
    };

    [Theory]
    [MemberData(nameof(InvalidG1))]
    public void FromCompressed_RejectsInvalidG1(string hex)
    {
        Assert.Throws<FormatException>(() => G1Point.FromCompressed(Hex(hex)));
    }

    [Fact]
    public void FromCompressed_RejectsPointsOutsideTheSubgroup()
    {
        // Find a point of E(GF(p)) that is on the curve but not in G1 (the cofactor is large,
        // so a random curve point is almost never in the subgroup).
        for (ulong x = 1; ; x++)
        {
            var fx = Math.Fp.FromUInt64(x);
            if (!(fx.Square() * fx + Math.Fp.FromUInt64(4)).TrySqrt(out var y)) continue;
            var p = new G1Point(Math.Projective<Math.Fp>.FromAffine(fx, y));
            Assert.True(p.P.IsOnCurve);
            Assert.False(G1Point.IsInSubgroup(p.P));

            Assert.Throws<FormatException>(() => G1Point.FromCompressed(p.ToCompressed()));
            Assert.Throws<FormatException>(() => G1Point.FromUncompressed(p.ToUncompressed()));
            break;
        }
    }

    [Fact]
    public void FromCompressed_RejectsG2PointsOutsideTheSubgroupOrOffTheCurve()
    {
        for (ulong x = 1; ; x++)
        {
            var fx = new Math.Fp2(Math.Fp.FromUInt64(x), Math.Fp.One);
            var rhs = fx.Square() * fx + new Math.Fp2(Math.Fp.FromUInt64(4), Math.Fp.FromUInt64(4));
            if (!rhs.TrySqrt(out var y)) continue;
            var p = new G2Point(Math.Projective<Math.Fp2>.FromAffine(fx, y));

            Assert.Throws<FormatException>(() => G2Point.FromCompressed(p.ToCompressed()));
            var bad = p.ToUncompressed();
            bad[191] ^= 1;
            Assert.Throws<FormatException>(() => G2Point.FromUncompressed(bad));
            break;
        }
    }

    [Fact]
    public void Scalar_FromBigEndian_ReducesModR()
    {
        var r = Hex("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
        var rPlus5 = (byte[])r.Clone();
        rPlus5[31] += 5;

        Assert.True(Scalar.FromBigEndian(r).IsZero);
        Assert.Equal(Scalar.FromUInt64(5), Scalar.FromBigEndian(rPlus5));
        Assert.Equal("00" + new string('0', 60) + "05", ToHex(Scalar.FromBigEndian(rPlus5).ToBigEndian()));
        Assert.Equal(Scalar.FromUInt64(0x0102), Scalar.FromBigEndian([1, 2]));
        var a = ScalarOf("inv");
        Assert.Equal(Scalar.One, a * a.Invert());
        Assert.Equal(a, Scalar.FromBigEndian(a.ToBigEndian()));
    }
}

public sealed class EndomorphismTests
{
    [Fact]
    public void SubgroupChecks_AgreeWithMultiplicationByTheOrder()
    {
        var inG1 = G1Point.Generator.Multiply(TestVectors.ScalarOf("sg1")).P;
        var inG2 = G2Point.Generator.Multiply(TestVectors.ScalarOf("sg2")).P;

        Assert.True(G1Point.IsInSubgroup(inG1));
        Assert.True(G1Point.IsInSubgroupByOrder(inG1));
        Assert.True(G2Point.IsInSubgroup(inG2));
        Assert.True(G2Point.IsInSubgroupByOrder(inG2));
        Assert.True(G1Point.IsInSubgroup(Math.Projective<Math.Fp>.Identity));
        Assert.True(G2Point.IsInSubgroup(Math.Projective<Math.Fp2>.Identity));

        int checkedPoints = 0;
        for (ulong x = 1; checkedPoints < 3; x++)
        {
            var fx = Math.Fp.FromUInt64(x);
            if ((fx.Square() * fx + Math.Fp.FromUInt64(4)).TrySqrt(out var y))
            {
                var p = Math.Projective<Math.Fp>.FromAffine(fx, y);
                Assert.Equal(G1Point.IsInSubgroupByOrder(p), G1Point.IsInSubgroup(p));
                checkedPoints++;
            }
            var fx2 = new Math.Fp2(fx, Math.Fp.One);
            if ((fx2.Square() * fx2 + new Math.Fp2(Math.Fp.FromUInt64(4), Math.Fp.FromUInt64(4))).TrySqrt(out var y2))
            {
                var p2 = Math.Projective<Math.Fp2>.FromAffine(fx2, y2);
                Assert.False(G2Point.IsInSubgroup(p2));
                Assert.Equal(G2Point.IsInSubgroupByOrder(p2), G2Point.IsInSubgroup(p2));
            }
        }
    }

    [Fact]
    public void ClearCofactorG2_ByPsi_EqualsMultiplicationByHEff()
    {
        var u = Math.HashToCurve.HashToFieldFp2("cofactor"u8, "test-dst"u8, 1)[0];
        var q = Math.HashToCurve.MapToG2Curve(u);

        var fast = Math.HashToCurve.ClearCofactorG2(q);

        Assert.True(fast.EqualsPoint(Math.HashToCurve.ClearCofactorG2ByHEff(q)));
        Assert.True(G2Point.IsInSubgroupByOrder(fast));
    }
}

public sealed class MultiScalarTests
{
    [Fact]
    public void MultiScalarMultiply_EqualsTheSumOfProducts()
    {
        var a = TestVectors.ScalarOf("msm-a");
        var b = TestVectors.ScalarOf("msm-b");
        var c = TestVectors.ScalarOf("msm-c");
        var p = G1Point.Generator.Multiply(TestVectors.ScalarOf("msm-p"));
        var q = G1Point.HashToCurve("msm"u8, "dst"u8);

        var msm = G1Point.MultiScalarMultiply([p, q, G1Point.Generator], [a, b, c]);
        var msm2 = G2Point.MultiScalarMultiply([G2Point.Generator, G2Point.Generator.Double()], [a, b]);

        Assert.Equal(p.Multiply(a).Add(q.Multiply(b)).Add(G1Point.Generator.Multiply(c)), msm);
        Assert.Equal(G2Point.Generator.Multiply(a + b + b), msm2);
        Assert.True(G1Point.MultiScalarMultiply([], []).IsIdentity);
    }

    [Fact]
    public void GtPowProduct_EqualsTheProductOfPowers()
    {
        var e = Pairing.Compute(G1Point.Generator, G2Point.Generator);
        var f = e.Pow(TestVectors.ScalarOf("gt-f"));
        var a = TestVectors.ScalarOf("gt-a");
        var b = TestVectors.ScalarOf("gt-b");

        Assert.Equal(e.Pow(a).Multiply(f.Pow(b)), Gt.PowProduct([e, f], [a, b]));
    }
}

public sealed class FixedBaseTests
{
    [Fact]
    public void GeneratorTable_AgreesWithTheGenericLadder()
    {
        foreach (var k in new[] { Scalar.Zero, Scalar.One, -Scalar.One, TestVectors.ScalarOf("fixed-base") })
        {
            Assert.Equal(new G1Point(G1Point.Generator.P.MultiplyConstantTime(k)), G1Point.Generator.Multiply(k));
            Assert.Equal(new G2Point(G2Point.Generator.P.MultiplyConstantTime(k)), G2Point.Generator.Multiply(k));
        }
    }
}

public sealed class SignedWindowTests
{
    private static System.Numerics.BigInteger Big(Scalar s) => new(s.ToBigEndian(), isUnsigned: true, isBigEndian: true);

    public static TheoryData<string> Scalars => new() { "0", "1", "16", "17", "-1", "-16", "random" };

    private static Scalar Pick(string which) => which switch
    {
        "random" => TestVectors.ScalarOf("signed-window"),
        _ when which.StartsWith('-') => -Scalar.FromUInt64(ulong.Parse(which[1..], System.Globalization.CultureInfo.InvariantCulture)),
        _ => Scalar.FromUInt64(ulong.Parse(which, System.Globalization.CultureInfo.InvariantCulture)),
    };

    [Theory]
    [MemberData(nameof(Scalars))]
    public void Digits_ReconstructTheScalar(string which)
    {
        var k = Pick(which);
        var canonical = k.ToCanonical();

        var sum = System.Numerics.BigInteger.Zero;
        for (int i = Math.SignedWindow.ScalarWindows - 1; i >= 0; i--)
        {
            ulong digit = Math.SignedWindow.Digit(canonical, i, out ulong negative);
            Assert.InRange(digit, 0UL, 16UL);
            sum = sum * 32 + (negative == 0 ? (long)digit : -(long)digit);
        }

        Assert.Equal(Big(k), sum);
    }

    [Theory]
    [MemberData(nameof(Scalars))]
    public void FixedBaseTables_AgreeWithTheGenericLadders(string which)
    {
        var k = Pick(which);
        var h1 = G2Point.HashToCurve("fixed base h1"u8, "dst"u8);
        var t = Pairing.Compute(G1Point.Generator, G2Point.Generator).Pow(TestVectors.ScalarOf("fixed-base-t"));

        Assert.Equal(new G2Point(h1.P.MultiplyConstantTime(k)), new G2Point(new Math.FixedBaseTable<Math.Fp2>(h1.P).Multiply(k)));
        Assert.Equal(t.Pow(k), new Gt(new Gt.FixedBaseTable(t).Pow(k)));
    }
}

public sealed class GlvTests
{
    private static readonly System.Numerics.BigInteger R = Scalar.Modulus;
    private static readonly System.Numerics.BigInteger Lambda = System.Numerics.BigInteger.Pow(0xd201000000010000, 2) - 1;

    private static System.Numerics.BigInteger Big(Scalar s) => new(s.ToBigEndian(), isUnsigned: true, isBigEndian: true);

    private static Scalar FromBig(System.Numerics.BigInteger v) => Scalar.FromBigEndian(v.ToByteArray(isUnsigned: true, isBigEndian: true));

    public static TheoryData<string> EdgeScalars => new() { "0", "1", "lambda-1", "lambda", "lambda+1", "r-1", "r-lambda", "lambda^2", "random" };

    [Theory]
    [MemberData(nameof(EdgeScalars))]
    public void Decompose_SplitsIntoTwoHalvesBelow2To128(string which)
    {
        var k = which switch
        {
            "0" => System.Numerics.BigInteger.Zero,
            "1" => System.Numerics.BigInteger.One,
            "lambda-1" => Lambda - 1,
            "lambda" => Lambda,
            "lambda+1" => Lambda + 1,
            "r-1" => R - 1,
            "r-lambda" => R - Lambda,
            "lambda^2" => Lambda * Lambda % R,
            _ => Big(TestVectors.ScalarOf("glv")),
        };

        var (k1, k2) = Math.Endomorphisms.Decompose(FromBig(k));

        var b1 = (System.Numerics.BigInteger)k1;
        var b2 = (System.Numerics.BigInteger)k2;
        Assert.Equal(k, b1 + b2 * Lambda);
        Assert.True(b1 < Lambda);
        Assert.True(b2 <= Lambda + 1);
    }

    public static TheoryData<string> RecodingValues => new() { "0", "1", "15", "16", "17", "31", "32", "2^128-1", "alternating", "lambda+1", "random" };

    [Theory]
    [MemberData(nameof(RecodingValues))]
    public void BoothDigits_ReconstructTheHalfScalar(string which)
    {
        var k = which switch
        {
            "2^128-1" => UInt128.MaxValue,
            "alternating" => new UInt128(0xaaaaaaaaaaaaaaaa, 0x5555555555555555),
            "lambda+1" => (UInt128)(Lambda + 1),
            "random" => (UInt128)(Big(TestVectors.ScalarOf("booth")) >> 127),
            _ => UInt128.Parse(which, System.Globalization.CultureInfo.InvariantCulture),
        };

        var sum = System.Numerics.BigInteger.Zero;
        for (int i = 25; i >= 0; i--)
        {
            ulong digit = Math.Endomorphisms.BoothDigit(k, i, out ulong negative);
            Assert.InRange(digit, 0UL, 16UL);
            Assert.True(negative == 0 || negative == ulong.MaxValue);
            sum = sum * 32 + (negative == 0 ? (long)digit : -(long)digit);
        }

        Assert.Equal((System.Numerics.BigInteger)k, sum);
    }

    [Fact]
    public void GlvMultiScalarMultiplication_MatchesTheSumOfLadders()
    {
        var points = new[] { G1Point.HashToCurve("msm 1"u8, "dst"u8), G1Point.HashToCurve("msm 2"u8, "dst"u8), G1Point.Generator, G1Point.Identity };
        var scalars = new[] { TestVectors.ScalarOf("msm-a"), -Scalar.One, TestVectors.ScalarOf("msm-c"), TestVectors.ScalarOf("msm-d") };
        var expected = G1Point.Identity;
        for (int i = 0; i < points.Length; i++) expected += new G1Point(points[i].P.MultiplyConstantTime(scalars[i]));

        Assert.Equal(expected, G1Point.MultiScalarMultiply(points, scalars));
        Assert.Equal(points[0] + points[0], G1Point.MultiScalarMultiply([points[0], points[0]], [Scalar.One, Scalar.One]));
    }

    [Fact]
    public void GlvMultiplication_MatchesTheGenericLadder()
    {
        var p = G1Point.HashToCurve("glv point"u8, "dst"u8);
        foreach (var label in new[] { "g1", "g2", "g3" })
        {
            var k = TestVectors.ScalarOf(label);
            Assert.Equal(new G1Point(p.P.MultiplyConstantTime(k)), p.Multiply(k));
        }
        Assert.Equal(new G1Point(p.P.MultiplyConstantTime(-Scalar.One)), p.Multiply(-Scalar.One));
        Assert.True(p.Multiply(Scalar.Zero).IsIdentity);
    }
}

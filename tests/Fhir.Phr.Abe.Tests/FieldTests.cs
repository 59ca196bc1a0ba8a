using System.Numerics;
using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe.Tests;

public sealed class FieldTests
{
    private static readonly BigInteger P = BigInteger.Parse("01a0111ea397fe69a4b1ba7b6434bacd764774b84f38512bf6730d2a0f6b0f6241eabfffeb153ffffb9feffffffffaaab", System.Globalization.NumberStyles.HexNumber);

    private static BigInteger RandomBelowP(Random rng)
    {
        var bytes = new byte[49];
        rng.NextBytes(bytes);
        bytes[48] = 0;
        return new BigInteger(bytes) % P;
    }

    private static Fp ToFp(BigInteger v) => Fp.FromCanonical(Limbs.FromBigInteger(v, 6));

    private static BigInteger ToBig(Fp v)
    {
        var c = v.ToCanonical();
        return Limbs.ToBigInteger([c.L0, c.L1, c.L2, c.L3, c.L4, c.L5]);
    }

    [Fact]
    public void Constants_MatchTheModulus()
    {
        var r = BigInteger.One << 384;

        Assert.Equal(P, Fp.Modulus);
        Assert.Equal(r % P, Limbs.ToBigInteger([Fp.One.L0, Fp.One.L1, Fp.One.L2, Fp.One.L3, Fp.One.L4, Fp.One.L5]));
        Assert.Equal(r * r % P, Limbs.ToBigInteger([Fp.R2.L0, Fp.R2.L1, Fp.R2.L2, Fp.R2.L3, Fp.R2.L4, Fp.R2.L5]));
    }

    [Fact]
    public void Arithmetic_MatchesBigInteger()
    {
        var rng = new Random(1);
        var edge = new[] { BigInteger.Zero, BigInteger.One, P - 1, P - 2, (P - 1) / 2, (P + 1) / 2 };
        for (int i = 0; i < 300; i++)
        {
            var a = i < edge.Length ? edge[i] : RandomBelowP(rng);
            var b = i < edge.Length ? edge[edge.Length - 1 - i] : RandomBelowP(rng);
            Fp fa = ToFp(a), fb = ToFp(b);

            Assert.Equal(a, ToBig(fa));
            Assert.Equal((a + b) % P, ToBig(fa + fb));
            Assert.Equal(((a - b) % P + P) % P, ToBig(fa - fb));
            Assert.Equal((P - a) % P, ToBig(-fa));
            Assert.Equal(a * b % P, ToBig(fa * fb));
            Assert.Equal(a * a % P, ToBig(fa.Square()));
        }
    }

    [Fact]
    public void InvertAndSqrt_MatchBigInteger()
    {
        var rng = new Random(2);
        int squares = 0;
        for (int i = 0; i < 20; i++)
        {
            var a = RandomBelowP(rng);
            var fa = ToFp(a);

            Assert.Equal(BigInteger.ModPow(a, P - 2, P), ToBig(fa.Invert()));
            bool isSquare = BigInteger.ModPow(a, (P - 1) / 2, P) == 1;
            Assert.Equal(isSquare, fa.TrySqrt(out var root));
            Assert.Equal(isSquare, fa.IsSquare());
            if (isSquare)
            {
                squares++;
                Assert.Equal(a, ToBig(root) * ToBig(root) % P);
            }
        }
        Assert.InRange(squares, 1, 19);
    }

    [Fact]
    public void FromWide_ReducesA512BitValue()
    {
        var bytes = new byte[64];
        new Random(3).NextBytes(bytes);
        var expected = new BigInteger(bytes, isUnsigned: true, isBigEndian: true) % P;

        Assert.Equal(expected, ToBig(Fp.FromWide(bytes)));
    }

    [Fact]
    public void TryFromBytes_RejectsThePrimeItself()
    {
        var p = Limbs.FromBigInteger(P, 6);
        var bytes = new byte[48];
        for (int i = 0; i < 6; i++) System.Buffers.Binary.BinaryPrimitives.WriteUInt64BigEndian(bytes.AsSpan(40 - 8 * i), p[i]);

        Assert.False(Fp.TryFromBytes(bytes, out _));
        bytes[47]--;
        Assert.True(Fp.TryFromBytes(bytes, out var pMinus1));
        Assert.Equal(-Fp.One, pMinus1);
    }

    private static Fp2 RandomFp2(Random rng) => new(ToFp(RandomBelowP(rng)), ToFp(RandomBelowP(rng)));

    private static Fp12 RandomFp12(Random rng) => new(
        new Fp6(RandomFp2(rng), RandomFp2(rng), RandomFp2(rng)),
        new Fp6(RandomFp2(rng), RandomFp2(rng), RandomFp2(rng)));

    [Fact]
    public void Fp2_LazyMultiplication_MatchesKaratsuba()
    {
        var rng = new Random(8);
        var pm1 = ToFp(P - 1);
        var extremes = new[] { new Fp2(pm1, pm1), new Fp2(Fp.Zero, pm1), new Fp2(pm1, Fp.Zero), Fp2.Zero, Fp2.One };
        foreach (var a in extremes)
        {
            foreach (var b in extremes) Assert.Equal(Fp2.MulKaratsuba(a, b), Fp2.MulLazy(a, b));
        }
        for (int i = 0; i < 200; i++)
        {
            var a = RandomFp2(rng);
            var b = RandomFp2(rng);
            Assert.Equal(Fp2.MulKaratsuba(a, b), Fp2.MulLazy(a, b));
        }
    }

    [Fact]
    public void Fp2_Sqrt_HandlesTheNormMethodEdgeCases()
    {
        var rng = new Random(11);
        var candidates = new List<Fp2> { Fp2.Zero, Fp2.One, -Fp2.One, new(Fp.Zero, Fp.One), new(Fp.Zero, -Fp.One) };
        for (int i = 0; i < 40; i++)
        {
            var x = RandomFp2(rng);
            candidates.Add(x);
            candidates.Add(new Fp2(x.C0, Fp.Zero));          // a1 = 0, a0 a square or not in GF(p)
            candidates.Add(new Fp2(Fp.Zero, x.C1));          // a0 = 0
            candidates.Add(new Fp2(x.C0.Square(), Fp.Zero)); // a0 a square, so both signs of s occur
            candidates.Add(new Fp2(-x.C0.Square(), Fp.Zero));
        }

        foreach (var a in candidates)
        {
            bool ok = a.TrySqrt(out var root);

            Assert.Equal(a.IsSquare() || a.IsZero, ok);
            if (ok) Assert.Equal(a, root.Square());
            Assert.True(a.Square().TrySqrt(out var r2));
            Assert.True(r2 == a || r2 == -a);
        }
    }

    [Fact]
    public void Fp2_SqrtAndInverse_AreConsistent()
    {
        var rng = new Random(4);
        for (int i = 0; i < 10; i++)
        {
            var a = RandomFp2(rng);
            var sq = a.Square();

            Assert.Equal(a * a, sq);
            Assert.Equal(Fp2.One, a * a.Invert());
            Assert.True(sq.TrySqrt(out var root));
            Assert.True(root == a || root == -a);
            Assert.Equal(a.IsSquare(), a.TrySqrt(out _));
        }
    }

    [Fact]
    public void Fp6AndFp12_InverseSquareAndFrobenius_AreConsistent()
    {
        var rng = new Random(5);
        var a = RandomFp12(rng);
        var b = RandomFp12(rng);

        Assert.Equal(Fp12.One, a * a.Invert());
        Assert.Equal(a * a, a.Square());
        Assert.Equal(a.C0 * a.C0, a.C0.Square());
        Assert.Equal(a * b, b * a);
        // Frobenius is the p-power map: an automorphism of order 12.
        Assert.Equal(a.Frobenius() * b.Frobenius(), (a * b).Frobenius());
        Assert.Equal(a, a.Frobenius(12));
        Assert.NotEqual(a, a.Frobenius(6));
        Assert.Equal(a.Conjugate(), a.Frobenius(6));
    }

    [Fact]
    public void MulBy014_MatchesAFullProduct()
    {
        var rng = new Random(6);
        var f = RandomFp12(rng);
        Fp2 c0 = RandomFp2(rng), c1 = RandomFp2(rng), c4 = RandomFp2(rng);
        var sparse = new Fp12(new Fp6(c0, c1, Fp2.Zero), new Fp6(Fp2.Zero, c4, Fp2.Zero));

        Assert.Equal(f * sparse, f.MulBy014(c0, c1, c4));
    }

    [Fact]
    public void CyclotomicSquare_MatchesSquareAfterTheEasyPart()
    {
        var rng = new Random(7);
        for (int i = 0; i < 20; i++)
        {
            var f = RandomFp12(rng);
            var g = f.Conjugate() * f.Invert();
            g = g.Frobenius(2) * g;

            Assert.Equal(g.Square(), g.CyclotomicSquare());
            Assert.Equal(g.Square().Square().Square(), g.CyclotomicSquare().CyclotomicSquare().CyclotomicSquare());
        }
    }
}

public sealed class BatchAffineTests
{
    [Fact]
    public void BatchToAffine_MatchesOneByOne_IncludingTheIdentity()
    {
        var g = G1Point.Generator;
        Projective<Fp>[] points = [g.P, Projective<Fp>.Identity, g.Multiply(TestVectors.ScalarOf("batch")).P, Projective<Fp>.Double(g.P)];

        var affine = Projective<Fp>.BatchToAffine(points);

        Assert.Equal((Fp.Zero, Fp.Zero), affine[1]);
        foreach (int i in new[] { 0, 2, 3 }) Assert.Equal(points[i].ToAffine(), affine[i]);
        Assert.Empty(Projective<Fp>.BatchToAffine([]));
    }
}

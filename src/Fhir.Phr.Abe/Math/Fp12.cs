using System.Runtime.CompilerServices;

namespace Fhir.Phr.Abe.Math;

/// <summary>GF(p^12) = GF(p^6)[w]/(w^2 - v).</summary>
[SkipLocalsInit]
internal readonly struct Fp12 : IEquatable<Fp12>
{
    public readonly Fp6 C0, C1;

    public Fp12(in Fp6 c0, in Fp6 c1)
    {
        C0 = c0;
        C1 = c1;
    }

    public static Fp12 One => new(Fp6.One, Fp6.Zero);

    // Frobenius constants γ_k = ξ^(k(p-1)/6) for the basis element w^k, k = 0..5.
    private static readonly Fp2[] FrobeniusGamma = ComputeGamma();

    private static Fp2[] ComputeGamma()
    {
        var e = Limbs.FromBigInteger((Fp.Modulus - 1) / 6, 6);
        var g1 = new Fp2(Fp.One, Fp.One).Pow(e);
        var gamma = new Fp2[6];
        gamma[0] = Fp2.One;
        for (int k = 1; k < 6; k++) gamma[k] = gamma[k - 1] * g1;
        return gamma;
    }

    public bool IsOne => this == One;

    public static Fp12 operator *(in Fp12 a, in Fp12 b)
    {
        var t0 = a.C0 * b.C0;
        var t1 = a.C1 * b.C1;
        var c1 = (a.C0 + a.C1) * (b.C0 + b.C1) - t0 - t1;
        return new Fp12(t0 + t1.MulByNonResidue(), c1);
    }

    /// <summary>Complex squaring over GF(p^6).</summary>
    public Fp12 Square()
    {
        var ab = C0 * C1;
        var c0 = (C0 + C1) * (C0 + C1.MulByNonResidue()) - ab - ab.MulByNonResidue();
        return new Fp12(c0, ab + ab);
    }

    public Fp12 Conjugate() => new(C0, -C1);

    public Fp12 Invert()
    {
        var t = (C0.Square() - C1.Square().MulByNonResidue()).Invert();
        return new Fp12(C0 * t, -(C1 * t));
    }

    /// <summary>x ↦ x^p: conjugate each GF(p^2) coefficient of w^k and scale it by γ_k.</summary>
    public Fp12 Frobenius()
    {
        var g = FrobeniusGamma;
        return new Fp12(
            new Fp6(C0.C0.Conjugate(), C0.C1.Conjugate() * g[2], C0.C2.Conjugate() * g[4]),
            new Fp6(C1.C0.Conjugate() * g[1], C1.C1.Conjugate() * g[3], C1.C2.Conjugate() * g[5]));
    }

    public Fp12 Frobenius(int power)
    {
        var f = this;
        for (int i = 0; i < power; i++) f = f.Frobenius();
        return f;
    }

    /// <summary>
    /// Product with the sparse line value c0 + c1·w + c4·w·v, where the Miller loop's lines live
    /// (zkcrypto Fp12::mul_by_014).
    /// </summary>
    public Fp12 MulBy014(in Fp2 c0, in Fp2 c1, in Fp2 c4)
    {
        var aa = C0.MulBy01(c0, c1);
        var bb = C1.MulBy1(c4);
        var o = c1 + c4;
        var t = (C1 + C0).MulBy01(c0, o) - aa - bb;
        return new Fp12(bb.MulByNonResidue() + aa, t);
    }

    /// <summary>
    /// (a + b·w')² in GF(p^4) = GF(p^2)[w']/(w'² − ξ) with lazy reduction: the six GF(p) products are
    /// kept at full width and each output coefficient is reduced once (four reductions instead of six
    /// Montgomery products plus their additions). Every unreduced product is below 2p², so every sum
    /// below stays under 6p², inside the REDC bound p·2^384 ≈ 9.8p²; the offsets 2p² and 4p² keep the
    /// differences non-negative.
    /// </summary>
    private static (Fp2, Fp2) Fp4Square(in Fp2 a, in Fp2 b)
    {
        // x² = ((x0 + x1)(x0 − x1), 2·x0·x1), each product below 2p².
        var a0 = Fp.MulWide(Fp.AddUnreduced(a.C0, a.C1), a.C0 - a.C1);
        var a1 = Fp.MulWide(Fp.AddUnreduced(a.C0, a.C0), a.C1);
        var b0 = Fp.MulWide(Fp.AddUnreduced(b.C0, b.C1), b.C0 - b.C1);
        var b1 = Fp.MulWide(Fp.AddUnreduced(b.C0, b.C0), b.C1);
        var u = a + b;
        var u0 = Fp.MulWide(Fp.AddUnreduced(u.C0, u.C1), u.C0 - u.C1);
        var u1 = Fp.MulWide(Fp.AddUnreduced(u.C0, u.C0), u.C1);
        // c0 = b²·ξ + a² = (b0 − b1 + a0, b0 + b1 + a1); c1 = (a + b)² − a² − b².
        var c0 = new Fp2(Fp.Reduce(b0 + a0 + Wide.TwoPSquared - b1), Fp.Reduce(b0 + b1 + a1));
        var c1 = new Fp2(Fp.Reduce(u0 + Wide.FourPSquared - a0 - b0), Fp.Reduce(u1 + Wide.FourPSquared - a1 - b1));
        return (c0, c1);
    }

    /// <summary>
    /// Granger–Scott squaring, valid only in the cyclotomic subgroup (after the easy part of the final
    /// exponentiation); Guide to Pairing-Based Cryptography, Algorithm 5.5.4.
    /// </summary>
    public Fp12 CyclotomicSquare()
    {
        var z0 = C0.C0; var z4 = C0.C1; var z3 = C0.C2;
        var z2 = C1.C0; var z1 = C1.C1; var z5 = C1.C2;

        var (t0, t1) = Fp4Square(z0, z1);
        z0 = t0 - z0; z0 = z0 + z0 + t0;
        z1 = t1 + z1; z1 = z1 + z1 + t1;

        (t0, t1) = Fp4Square(z2, z3);
        var (t2, t3) = Fp4Square(z4, z5);

        z4 = t0 - z4; z4 = z4 + z4 + t0;
        z5 = t1 + z5; z5 = z5 + z5 + t1;

        t0 = t3.MulByNonResidue();
        z2 = t0 + z2; z2 = z2 + z2 + t0;
        z3 = t2 - z3; z3 = z3 + z3 + t2;

        return new Fp12(new Fp6(z0, z4, z3), new Fp6(z2, z1, z5));
    }

    /// <summary>f^x for the (negative) BLS parameter x, f in the cyclotomic subgroup: f^|x| then conjugate.</summary>
    public Fp12 CyclotomicPowX()
    {
        const ulong absX = 0xd201000000010000;
        var tmp = One;
        bool started = false;
        for (int b = 63; b >= 0; b--)
        {
            bool bit = ((absX >> b) & 1) == 1;
            if (started) tmp = tmp.CyclotomicSquare();
            else started = bit;
            if (bit) tmp *= this;
        }
        return tmp.Conjugate();
    }

    /// <summary>
    /// f^((p^12-1)/r). Easy part by conjugation, inversion and Frobenius; hard part by the x-chain
    /// used in zkcrypto (Hayashida–Hayasaka–Teruya, eprint 2020/875), which yields the same value as
    /// RELIC and @noble/curves (no extra power of 3, unlike gnark).
    /// </summary>
    public Fp12 FinalExponentiation()
    {
        var f = this;
        var t0 = f.Conjugate();
        var t1 = f.Invert();
        var t2 = t0 * t1;
        t1 = t2;
        t2 = t2.Frobenius(2);
        t2 *= t1;
        t1 = t2.CyclotomicSquare().Conjugate();
        var t3 = t2.CyclotomicPowX();
        var t4 = t3.CyclotomicSquare();
        var t5 = t1 * t3;
        t1 = t5.CyclotomicPowX();
        t0 = t1.CyclotomicPowX();
        var t6 = t0.CyclotomicPowX();
        t6 *= t4;
        t4 = t6.CyclotomicPowX();
        t5 = t5.Conjugate();
        t4 *= t5 * t2;
        t5 = t2.Conjugate();
        t1 *= t2;
        t1 = t1.Frobenius(3);
        t6 *= t5;
        t6 = t6.Frobenius();
        t3 *= t0;
        t3 = t3.Frobenius(2);
        t3 *= t1;
        t3 *= t6;
        return t3 * t4;
    }

    public static Fp12 Select(in Fp12 ifZero, in Fp12 ifOnes, ulong mask) =>
        new(Fp6.Select(ifZero.C0, ifOnes.C0, mask), Fp6.Select(ifZero.C1, ifOnes.C1, mask));

    public ulong EqualMask(in Fp12 other) => C0.EqualMask(other.C0) & C1.EqualMask(other.C1);

    public bool Equals(Fp12 other) => EqualMask(other) != 0;

    public override bool Equals(object? obj) => obj is Fp12 f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(C0, C1);

    public static bool operator ==(in Fp12 a, in Fp12 b) => a.Equals(b);

    public static bool operator !=(in Fp12 a, in Fp12 b) => !a.Equals(b);

    /// <summary>@noble/curves Fp12.toBytes order: c0.c0.c0, c0.c0.c1, c0.c1.c0, …, c1.c2.c1, 48 bytes each.</summary>
    public void WriteBytes(Span<byte> destination)
    {
        ReadOnlySpan<Fp2> parts = [C0.C0, C0.C1, C0.C2, C1.C0, C1.C1, C1.C2];
        for (int i = 0; i < 6; i++)
        {
            parts[i].C0.WriteBytes(destination.Slice(96 * i, 48));
            parts[i].C1.WriteBytes(destination.Slice(96 * i + 48, 48));
        }
    }
}

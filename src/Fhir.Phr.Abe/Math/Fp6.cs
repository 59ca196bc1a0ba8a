using System.Runtime.CompilerServices;

namespace Fhir.Phr.Abe.Math;

/// <summary>GF(p^6) = GF(p^2)[v]/(v^3 - ξ), ξ = 1 + u.</summary>
[SkipLocalsInit]
internal readonly struct Fp6 : IEquatable<Fp6>
{
    public readonly Fp2 C0, C1, C2;

    public Fp6(in Fp2 c0, in Fp2 c1, in Fp2 c2)
    {
        C0 = c0;
        C1 = c1;
        C2 = c2;
    }

    public static Fp6 Zero => default;

    public static Fp6 One => new(Fp2.One, Fp2.Zero, Fp2.Zero);

    public bool IsZero => C0.IsZero & C1.IsZero & C2.IsZero;

    public static Fp6 operator +(in Fp6 a, in Fp6 b) => new(a.C0 + b.C0, a.C1 + b.C1, a.C2 + b.C2);

    public static Fp6 operator -(in Fp6 a, in Fp6 b) => new(a.C0 - b.C0, a.C1 - b.C1, a.C2 - b.C2);

    public static Fp6 operator -(in Fp6 a) => new(-a.C0, -a.C1, -a.C2);

    /// <summary>Karatsuba over the cubic extension: six GF(p^2) products.</summary>
    public static Fp6 operator *(in Fp6 a, in Fp6 b)
    {
        var t0 = a.C0 * b.C0;
        var t1 = a.C1 * b.C1;
        var t2 = a.C2 * b.C2;
        var c0 = ((a.C1 + a.C2) * (b.C1 + b.C2) - t1 - t2).MulByNonResidue() + t0;
        var c1 = (a.C0 + a.C1) * (b.C0 + b.C1) - t0 - t1 + t2.MulByNonResidue();
        var c2 = (a.C0 + a.C2) * (b.C0 + b.C2) - t0 - t2 + t1;
        return new Fp6(c0, c1, c2);
    }

    /// <summary>Chung–Hasan SQR2: two squarings and three products fewer than a general product.</summary>
    public Fp6 Square()
    {
        var s0 = C0.Square();
        var ab = C0 * C1;
        var s1 = ab + ab;
        var s2 = (C0 - C1 + C2).Square();
        var bc = C1 * C2;
        var s3 = bc + bc;
        var s4 = C2.Square();
        return new Fp6(s3.MulByNonResidue() + s0, s4.MulByNonResidue() + s1, s1 + s2 + s3 - s0 - s4);
    }

    /// <summary>Multiplies by v.</summary>
    public Fp6 MulByNonResidue() => new(C2.MulByNonResidue(), C0, C1);

    /// <summary>Product with the sparse element c0 + c1·v (zkcrypto mul_by_01).</summary>
    public Fp6 MulBy01(in Fp2 c0, in Fp2 c1)
    {
        var aa = C0 * c0;
        var bb = C1 * c1;
        var t1 = (C2 * c1).MulByNonResidue() + aa;
        var t2 = (c0 + c1) * (C0 + C1) - aa - bb;
        var t3 = C2 * c0 + bb;
        return new Fp6(t1, t2, t3);
    }

    /// <summary>Product with the sparse element c1·v.</summary>
    public Fp6 MulBy1(in Fp2 c1) => new((C2 * c1).MulByNonResidue(), C0 * c1, C1 * c1);

    public Fp6 Invert()
    {
        var c0 = C0.Square() - (C2.MulByNonResidue() * C1);
        var c1 = C2.Square().MulByNonResidue() - C0 * C1;
        var c2 = C1.Square() - C0 * C2;
        var t = ((C1 * c2) + (C2 * c1)).MulByNonResidue() + C0 * c0;
        var ti = t.Invert();
        return new Fp6(c0 * ti, c1 * ti, c2 * ti);
    }

    public static Fp6 Select(in Fp6 ifZero, in Fp6 ifOnes, ulong mask) =>
        new(Fp2.Select(ifZero.C0, ifOnes.C0, mask), Fp2.Select(ifZero.C1, ifOnes.C1, mask), Fp2.Select(ifZero.C2, ifOnes.C2, mask));

    public ulong EqualMask(in Fp6 other) => C0.EqualMask(other.C0) & C1.EqualMask(other.C1) & C2.EqualMask(other.C2);

    public bool Equals(Fp6 other) => EqualMask(other) != 0;

    public override bool Equals(object? obj) => obj is Fp6 f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(C0, C1, C2);

    public static bool operator ==(in Fp6 a, in Fp6 b) => a.Equals(b);

    public static bool operator !=(in Fp6 a, in Fp6 b) => !a.Equals(b);
}

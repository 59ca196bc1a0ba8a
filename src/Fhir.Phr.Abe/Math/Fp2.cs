using System.Runtime.CompilerServices;

namespace Fhir.Phr.Abe.Math;

/// <summary>GF(p^2) = GF(p)[u]/(u^2 + 1).</summary>
[SkipLocalsInit]
internal readonly struct Fp2 : IEquatable<Fp2>, ICurveField<Fp2>
{
    public readonly Fp C0, C1;

    public Fp2(in Fp c0, in Fp c1)
    {
        C0 = c0;
        C1 = c1;
    }

    public static Fp2 Zero => default;

    public static Fp2 One => new(Fp.One, Fp.Zero);

    private static readonly ulong[] PMinus3Over4 = Limbs.FromBigInteger((Fp.Modulus - 3) / 4, 6);

    public bool IsZero => C0.IsZero & C1.IsZero;

    public ulong IsZeroMask => C0.IsZeroMask & C1.IsZeroMask;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator +(in Fp2 a, in Fp2 b) => new(a.C0 + b.C0, a.C1 + b.C1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator -(in Fp2 a, in Fp2 b) => new(a.C0 - b.C0, a.C1 - b.C1);

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator -(in Fp2 a) => new(-a.C0, -a.C1);

    /// <summary>Karatsuba with lazy reduction (see <see cref="MulLazy"/>).</summary>
    public static Fp2 operator *(in Fp2 a, in Fp2 b) => MulLazy(a, b);

    /// <summary>Karatsuba with three Montgomery products; the reference for <see cref="MulLazy"/>.</summary>
    internal static Fp2 MulKaratsuba(in Fp2 a, in Fp2 b)
    {
        var t0 = a.C0 * b.C0;
        var t1 = a.C1 * b.C1;
        var t2 = (a.C0 + a.C1) * (b.C0 + b.C1);
        return new Fp2(t0 - t1, t2 - t0 - t1);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Fp2 operator *(in Fp2 a, in Fp b) => new(a.C0 * b, a.C1 * b);

    /// <summary>
    /// Karatsuba with lazy reduction: three 768-bit products and two Montgomery reductions instead of
    /// three full Montgomery products. c0 = a0b0 − a1b1 + p² and c1 = (a0+a1)(b0+b1) − a0b0 − a1b1
    /// are both below 2p² &lt; p·2^384, the REDC input bound.
    /// </summary>
    public static Fp2 MulLazy(in Fp2 a, in Fp2 b)
    {
        var t0 = Fp.MulWide(a.C0, b.C0);
        var t1 = Fp.MulWide(a.C1, b.C1);
        var t2 = Fp.MulWide(Fp.AddUnreduced(a.C0, a.C1), Fp.AddUnreduced(b.C0, b.C1));
        return new Fp2(Fp.Reduce(t0 + Wide.PSquared - t1), Fp.Reduce(t2 - t0 - t1));
    }

    /// <summary>Complex squaring: (a+b)(a-b) + 2ab·u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2 Square()
    {
        var ab = C0 * C1;
        return new Fp2((C0 + C1) * (C0 - C1), ab + ab);
    }

    public Fp2 Double() => this + this;

    /// <summary>Multiplies by the sextic non-residue ξ = 1 + u.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public Fp2 MulByNonResidue() => new(C0 - C1, C0 + C1);

    public Fp2 Conjugate() => new(C0, -C1);

    /// <summary>x^p is the conjugate, because u^p = -u for p ≡ 3 (mod 4).</summary>
    public Fp2 Frobenius() => Conjugate();

    public Fp2 Invert()
    {
        var t = (C0.Square() + C1.Square()).Invert();
        return new Fp2(C0 * t, -(C1 * t));
    }

    /// <summary>4-bit fixed-window power; the exponent is always a public constant.</summary>
    public Fp2 Pow(ReadOnlySpan<ulong> exponent)
    {
        Span<Fp2> table = stackalloc Fp2[16];
        table[0] = One;
        table[1] = this;
        for (int i = 2; i < 16; i++) table[i] = table[i - 1] * this;
        var result = One;
        bool started = false;
        for (int i = exponent.Length - 1; i >= 0; i--)
        {
            for (int shift = 60; shift >= 0; shift -= 4)
            {
                if (started) result = result.Square().Square().Square().Square();
                int nibble = (int)((exponent[i] >> shift) & 0xF);
                if (nibble != 0)
                {
                    result = started ? result * table[nibble] : table[nibble];
                    started = true;
                }
            }
        }
        return result;
    }

    /// <summary>A square iff its norm a0^2 + a1^2 is a square in GF(p).</summary>
    public bool IsSquare() => (C0.Square() + C1.Square()).IsSquare();

    private static readonly Fp Half = Fp.FromUInt64(2).Invert();

    /// <summary>
    /// Square root for p ≡ 3 (mod 4) by the norm ("complex") method: two GF(p) powers instead of one or
    /// two GF(p²) powers (Algorithm 9 of eprint 2012/685, which zkcrypto uses). With n = a0² + a1² and
    /// s = √n, d = (a0 + s)/2 (or (a0 − s)/2 when that is zero) and t = d^((p−3)/4), y = t·d:
    /// if y² = d then x = y + (a1·t/2)·u, else y² = −d and x = −(a1·t/2) + y·u. Both cases are
    /// formed and one kept by mask, so the only data-dependent outcome is the returned flag
    /// (G2 decompression of secret key points uses this).
    /// </summary>
    public bool TrySqrt(out Fp2 root)
    {
        var n = C0.Square() + C1.Square();
        _ = n.TrySqrt(out var s); // a non-square norm means a is not a square: the final check fails
        var d = (C0 + s) * Half;
        d = Fp.Select(d, (C0 - s) * Half, d.IsZeroMask);
        var t = d.Pow(PMinus3Over4);
        var y = t * d;
        ulong dIsSquare = y.Square().EqualMask(d);
        var at = C1 * t * Half;
        root = new Fp2(Fp.Select(-at, y, dIsSquare), Fp.Select(y, at, dIsSquare));
        return root.Square() == this;
    }

    /// <summary>sgn0 for m = 2 (RFC 9380 §4.1).</summary>
    public bool Sgn0
    {
        get
        {
            bool sign0 = C0.IsOdd;
            bool zero0 = C0.IsZero;
            bool sign1 = C1.IsOdd;
            return sign0 | (zero0 & sign1);
        }
    }

    /// <summary>The ZCash sort flag for GF(p^2): compare c1 first, then c0.</summary>
    public bool IsLexicographicallyLargest =>
        C1.IsZero ? C0.IsLexicographicallyLargest : C1.IsLexicographicallyLargest;

    public static Fp2 Select(in Fp2 ifZero, in Fp2 ifOnes, ulong mask) =>
        new(Fp.Select(ifZero.C0, ifOnes.C0, mask), Fp.Select(ifZero.C1, ifOnes.C1, mask));

    public ulong EqualMask(in Fp2 other) => C0.EqualMask(other.C0) & C1.EqualMask(other.C1);

    public bool Equals(Fp2 other) => EqualMask(other) != 0;

    public override bool Equals(object? obj) => obj is Fp2 f && Equals(f);

    public override int GetHashCode() => HashCode.Combine(C0, C1);

    public static bool operator ==(in Fp2 a, in Fp2 b) => a.Equals(b);

    public static bool operator !=(in Fp2 a, in Fp2 b) => !a.Equals(b);

    public override string ToString() => $"({C0}, {C1})";

    private static readonly Fp FourMont = Fp.FromUInt64(4);

    static Fp2 ICurveField<Fp2>.CurveB => new(FourMont, FourMont);

    static Fp2 ICurveField<Fp2>.Add(in Fp2 a, in Fp2 b) => a + b;

    static Fp2 ICurveField<Fp2>.Sub(in Fp2 a, in Fp2 b) => a - b;

    static Fp2 ICurveField<Fp2>.Mul(in Fp2 a, in Fp2 b) => a * b;

    static Fp2 ICurveField<Fp2>.Sqr(in Fp2 a) => a.Square();

    static Fp2 ICurveField<Fp2>.Neg(in Fp2 a) => -a;

    // 3b = 12(1 + u).
    static Fp2 ICurveField<Fp2>.MulBy3B(in Fp2 a)
    {
        var t = a.MulByNonResidue();
        return new Fp2(Fp.Times12(t.C0), Fp.Times12(t.C1));
    }

    static Fp2 ICurveField<Fp2>.Inv(in Fp2 a) => a.Invert();

    static bool ICurveField<Fp2>.Sqrt(in Fp2 a, out Fp2 root) => a.TrySqrt(out root);

    static ulong ICurveField<Fp2>.EqMask(in Fp2 a, in Fp2 b) => a.EqualMask(b);

    static ulong ICurveField<Fp2>.ZeroMask(in Fp2 a) => a.IsZeroMask;
}

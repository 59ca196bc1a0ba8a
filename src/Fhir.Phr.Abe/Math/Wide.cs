using System.Runtime.CompilerServices;

namespace Fhir.Phr.Abe.Math;

/// <summary>
/// An unreduced 768-bit product, for lazy reduction in GF(p^2): sums and differences of products
/// are formed first and reduced once (Montgomery REDC accepts anything below p·2^384).
/// </summary>
[SkipLocalsInit]
internal readonly struct Wide
{
    public readonly ulong W0, W1, W2, W3, W4, W5, W6, W7, W8, W9, W10, W11;

    public Wide(ulong w0, ulong w1, ulong w2, ulong w3, ulong w4, ulong w5, ulong w6, ulong w7, ulong w8, ulong w9, ulong w10, ulong w11)
    {
        W0 = w0; W1 = w1; W2 = w2; W3 = w3; W4 = w4; W5 = w5;
        W6 = w6; W7 = w7; W8 = w8; W9 = w9; W10 = w10; W11 = w11;
    }

    /// <summary>p², added before a subtraction so the difference of two products stays non-negative.</summary>
    public static readonly Wide PSquared = FromBig(Fp.Modulus * Fp.Modulus);

    /// <summary>2p² and 4p², offsets for differences of sums of products (all below the REDC bound p·2^384 ≈ 9.8p²).</summary>
    public static readonly Wide TwoPSquared = FromBig(2 * Fp.Modulus * Fp.Modulus);

    public static readonly Wide FourPSquared = FromBig(4 * Fp.Modulus * Fp.Modulus);

    private static Wide FromBig(System.Numerics.BigInteger v)
    {
        var l = Limbs.FromBigInteger(v, 12);
        return new Wide(l[0], l[1], l[2], l[3], l[4], l[5], l[6], l[7], l[8], l[9], l[10], l[11]);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide operator +(in Wide a, in Wide b)
    {
        ulong c = 0;
        return new Wide(Limbs.Add(a.W0, b.W0, ref c), Limbs.Add(a.W1, b.W1, ref c), Limbs.Add(a.W2, b.W2, ref c),
            Limbs.Add(a.W3, b.W3, ref c), Limbs.Add(a.W4, b.W4, ref c), Limbs.Add(a.W5, b.W5, ref c),
            Limbs.Add(a.W6, b.W6, ref c), Limbs.Add(a.W7, b.W7, ref c), Limbs.Add(a.W8, b.W8, ref c),
            Limbs.Add(a.W9, b.W9, ref c), Limbs.Add(a.W10, b.W10, ref c), Limbs.Add(a.W11, b.W11, ref c));
    }

    /// <summary>a − b; callers guarantee a ≥ b.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static Wide operator -(in Wide a, in Wide b)
    {
        ulong br = 0;
        return new Wide(Limbs.Sub(a.W0, b.W0, ref br), Limbs.Sub(a.W1, b.W1, ref br), Limbs.Sub(a.W2, b.W2, ref br),
            Limbs.Sub(a.W3, b.W3, ref br), Limbs.Sub(a.W4, b.W4, ref br), Limbs.Sub(a.W5, b.W5, ref br),
            Limbs.Sub(a.W6, b.W6, ref br), Limbs.Sub(a.W7, b.W7, ref br), Limbs.Sub(a.W8, b.W8, ref br),
            Limbs.Sub(a.W9, b.W9, ref br), Limbs.Sub(a.W10, b.W10, ref br), Limbs.Sub(a.W11, b.W11, ref br));
    }
}

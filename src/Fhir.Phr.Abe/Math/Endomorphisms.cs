using System.Numerics;

namespace Fhir.Phr.Abe.Math;

/// <summary>
/// The endomorphisms φ on E(GF(p)) and ψ on E'(GF(p^2)) and what they buy: subgroup checks with a
/// 64-bit instead of a 255-bit scalar (Scott, eprint 2021/1130) and the Budroni–Pintore G2 cofactor
/// clearing of RFC 9380 Appendix G.3.
/// </summary>
internal static class Endomorphisms
{
    internal const ulong AbsX = 0xd201000000010000;
    private static readonly ulong[] AbsXLimbs = [AbsX];

    // β: the primitive cube root of unity for which φ(P) = −x²·P on G1. Of the two roots, the right one
    // is chosen by testing the generator, so no hand-copied constant can be wrong.
    private static readonly Fp Beta = ChooseBeta();

    // ψ(x, y) = (conj(x)·PsiX, conj(y)·PsiY), PsiX = ξ^-((p-1)/3), PsiY = ξ^-((p-1)/2) with ξ = 1 + u
    // (untwist, Frobenius, twist).
    private static readonly Fp2 PsiX = new Fp2(Fp.One, Fp.One).Pow(Limbs.FromBigInteger((Fp.Modulus - 1) / 3, 6)).Invert();
    private static readonly Fp2 PsiY = new Fp2(Fp.One, Fp.One).Pow(Limbs.FromBigInteger((Fp.Modulus - 1) / 2, 6)).Invert();

    private static Fp ChooseBeta()
    {
        // 2 is not a cube mod p, so 2^((p-1)/3) has order 3.
        var w = Fp.FromUInt64(2).Pow(Limbs.FromBigInteger((Fp.Modulus - 1) / 3, 6));
        var g = G1Point.Generator.P;
        var target = MulByXSquaredNegated(g);
        return Phi(g, w).EqualsPoint(target) ? w : w.Square();
    }

    private static Projective<Fp> Phi(in Projective<Fp> p, in Fp beta) => new(p.X * beta, p.Y, p.Z);

    /// <summary>−x²·P = −(|x|·(|x|·P)).</summary>
    private static Projective<Fp> MulByXSquaredNegated(in Projective<Fp> p) =>
        p.MultiplyVartime(AbsXLimbs).MultiplyVartime(AbsXLimbs).Negate();

    /// <summary>P ∈ G1 iff φ(P) = −x²·P (Scott, eprint 2021/1130; gnark-crypto g1.go IsInSubGroup).</summary>
    public static bool IsInG1(in Projective<Fp> p) => p.IsOnCurve && Phi(p, Beta).EqualsPoint(MulByXSquaredNegated(p));

    public static Projective<Fp2> Psi(in Projective<Fp2> p) =>
        new(p.X.Conjugate() * PsiX, p.Y.Conjugate() * PsiY, p.Z.Conjugate());

    /// <summary>x·P for the negative BLS parameter x.</summary>
    public static Projective<Fp2> MulByX(in Projective<Fp2> p) => p.MultiplyVartime(AbsXLimbs).Negate();

    /// <summary>P ∈ G2 iff ψ(P) = x·P (Scott, eprint 2021/1130).</summary>
    public static bool IsInG2(in Projective<Fp2> p) => p.IsOnCurve && Psi(p).EqualsPoint(MulByX(p));

    /// <summary>h_eff·P computed as RFC 9380 Appendix G.3 clear_cofactor_bls12381_g2.</summary>
    public static Projective<Fp2> ClearCofactorG2(in Projective<Fp2> p)
    {
        var t1 = MulByX(p);
        var t2 = Psi(p);
        var t3 = Psi(Psi(Projective<Fp2>.Double(p)));
        t3 = Projective<Fp2>.Add(t3, t2.Negate());
        t2 = Projective<Fp2>.Add(t1, t2);
        t2 = MulByX(t2);
        t3 = Projective<Fp2>.Add(t3, t2);
        t3 = Projective<Fp2>.Add(t3, t1.Negate());
        return Projective<Fp2>.Add(t3, p.Negate());
    }

    internal static BigInteger X => -new BigInteger(AbsX);

    // GLV on G1: φ²(x, y) = (β²x, y) acts as multiplication by λ = x² − 1 (a 128-bit cube root of
    // unity mod r, since r = x⁴ − x² + 1), so k·P = k1·P + k2·φ²(P) with k = k1 + k2·λ and both
    // halves below 2^128: half the doublings.
    private static readonly Fp BetaSquared = Beta.Square();
    private static readonly BigInteger Lambda = X * X - 1;
    private const ulong Lambda0 = 0x00000000ffffffff, Lambda1 = 0xac45a4010001a402;
    // μ = floor(2^256 / λ), 129 bits, for a Barrett quotient.
    private static readonly ulong[] Mu = Limbs.FromBigInteger((BigInteger.One << 256) / Lambda, 3);

    /// <summary>
    /// k = k1 + k2·λ with 0 ≤ k1 &lt; λ and 0 ≤ k2 ≤ λ + 1, in constant time: a Barrett estimate
    /// q = ⌊k·μ / 2^256⌋ is at most 2 below ⌊k/λ⌋, so two masked corrections finish the division.
    /// </summary>
    internal static (UInt128 K1, UInt128 K2) Decompose(in Scalar scalar)
    {
        var k = scalar.ToCanonical();
        Span<ulong> kl = [k.L0, k.L1, k.L2, k.L3];
        Span<ulong> prod = stackalloc ulong[7];
        prod.Clear();
        for (int i = 0; i < 4; i++)
        {
            ulong carry = 0;
            for (int j = 0; j < 3; j++) carry = Limbs.MulAdd(kl[i], Mu[j], prod[i + j], carry, out prod[i + j]);
            prod[i + 3] = carry;
        }
        // q < 2^129 but ⌊k/λ⌋ ≤ λ + 1 < 2^128, so prod[6] is zero.
        ulong q0 = prod[4], q1 = prod[5];

        // rem = k − q·λ (fits in 4 limbs; below 3λ).
        ulong c = Limbs.MulAdd(q0, Lambda0, 0, out ulong m0);
        c = Limbs.MulAdd(q0, Lambda1, c, out ulong m1);
        ulong m2 = c;
        c = Limbs.MulAdd(q1, Lambda0, m1, out m1);
        c = Limbs.MulAdd(q1, Lambda1, m2, c, out m2);
        ulong m3 = c;
        ulong br = 0;
        ulong r0 = Limbs.Sub(kl[0], m0, ref br), r1 = Limbs.Sub(kl[1], m1, ref br);
        ulong r2 = Limbs.Sub(kl[2], m2, ref br), r3 = Limbs.Sub(kl[3], m3, ref br);

        for (int round = 0; round < 2; round++)
        {
            br = 0;
            ulong d0 = Limbs.Sub(r0, Lambda0, ref br), d1 = Limbs.Sub(r1, Lambda1, ref br);
            ulong d2 = Limbs.Sub(r2, 0, ref br), d3 = Limbs.Sub(r3, 0, ref br);
            ulong take = br - 1; // all ones when rem ≥ λ
            r0 = (r0 & ~take) | (d0 & take);
            r1 = (r1 & ~take) | (d1 & take);
            r2 = (r2 & ~take) | (d2 & take);
            r3 = (r3 & ~take) | (d3 & take);
            ulong cc = take & 1;
            q0 = Limbs.Add(q0, 0, ref cc);
            q1 += cc;
        }
        return (new UInt128(r1, r0), new UInt128(q1, q0));
    }

    // Signed 5-bit windows over the GLV halves: 26 windows cover 128 bits plus the recoding carry.
    private const int WindowBits = 5;
    private const int Windows = 26;
    private const int TableSize = 17; // 0·P … 16·P

    /// <summary>
    /// Digit i of the signed (Booth) recoding k = Σ (−1)^neg_i · d_i · 2^(5i), 0 ≤ d_i ≤ 16, computed
    /// without branches on k (BoringSSL ec_GFp_nistp_recode_scalar_bits): bits 5i−1 … 5i+4 of k, with
    /// bit −1 taken as 0. <paramref name="negMask"/> is all ones when the digit is negative.
    /// </summary>
    internal static ulong BoothDigit(UInt128 k, int i, out ulong negMask)
    {
        // The shift amounts depend only on the public window index.
        ulong w = (ulong)(i == 0 ? k << 1 : k >> (WindowBits * i - 1)) & 0x3f;
        ulong s = 0 - (w >> 5); // all ones when the window's top bit is set
        ulong d = ((63 - w) & s) | (w & ~s);
        negMask = s;
        return (d >> 1) + (d & 1);
    }

    /// <summary>
    /// Σ k_i·P_i on G1 in constant time: GLV halves, then Straus over 2n points with signed 5-bit
    /// windows (26 additions per half instead of 32 with unsigned 4-bit windows, and 17-entry tables).
    /// Every table entry is read for every digit and the wanted one kept by mask, the sign is applied by
    /// mask, and the complete formulas have no exceptional cases, so neither branches nor addresses
    /// depend on the scalars.
    /// </summary>
    public static Projective<Fp> MultiplyGlv(ReadOnlySpan<Projective<Fp>> points, ReadOnlySpan<Scalar> scalars)
    {
        if (points.Length != scalars.Length) throw new ArgumentException("One scalar per point is required.", nameof(scalars));
        int n = 2 * points.Length;
        var tables = new Projective<Fp>[n * TableSize];
        var k = new UInt128[n];
        for (int i = 0; i < points.Length; i++)
        {
            (k[2 * i], k[2 * i + 1]) = Decompose(scalars[i]);
            int t = 2 * TableSize * i;
            tables[t] = Projective<Fp>.Identity;
            tables[t + 1] = points[i];
            tables[t + 2] = Projective<Fp>.Double(points[i]);
            for (int j = 3; j < TableSize; j++) tables[t + j] = Projective<Fp>.Add(tables[t + j - 1], points[i]);
            // φ²(j·P) = j·φ²(P): one multiplication per entry instead of an addition.
            for (int j = 0; j < TableSize; j++)
                tables[t + TableSize + j] = new Projective<Fp>(tables[t + j].X * BetaSquared, tables[t + j].Y, tables[t + j].Z);
        }

        var acc = Projective<Fp>.Identity;
        for (int w = Windows - 1; w >= 0; w--)
        {
            if (w != Windows - 1)
            {
                for (int d = 0; d < WindowBits; d++) acc = Projective<Fp>.Double(acc);
            }
            for (int i = 0; i < n; i++)
            {
                ulong digit = BoothDigit(k[i], w, out ulong negative);
                var pick = tables[TableSize * i];
                for (int j = 1; j < TableSize; j++)
                {
                    ulong diff = digit ^ (ulong)j;
                    ulong mask = ((diff | (0 - diff)) >> 63) - 1;
                    pick = Projective<Fp>.Select(pick, tables[TableSize * i + j], mask);
                }
                pick = new Projective<Fp>(pick.X, Fp.Select(pick.Y, -pick.Y, negative), pick.Z);
                acc = Projective<Fp>.Add(acc, pick);
            }
        }
        return acc;
    }
}

using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Abe.Math;

/// <summary>
/// RFC 9380 hash_to_curve for the suites BLS12381G1_XMD:SHA-256_SSWU_RO_ and
/// BLS12381G2_XMD:SHA-256_SSWU_RO_ (§8.8.1, §8.8.2).
/// </summary>
/// <remarks>
/// The G1 map is the inversion-free straight-line SSWU of Appendix F.2 (one exponentiation per
/// map, cases selected by mask): hash_to_curve into G1 is on FAME's encryption path for every new
/// patient attribute. The G2 map follows §6.6.2 with one inversion and branches on the hashed
/// message, which is public here (BLS messages).
/// </remarks>
internal static class HashToCurve
{
    private const int L = 64; // ceil((ceil(log2(p)) + k) / 8) with k = 128, §8.8

    // G1: E' : y^2 = x^3 + A'x + B', Z = 11 (§8.8.1).
    private static readonly Fp G1A = FromHex("144698a3b8e9433d693a02c96d4982b0ea985383ee66a8d8e8981aefd881ac98936f8da0e0f97f5cf428082d584c1d");
    private static readonly Fp G1B = FromHex("12e2908d11688030018b12e8753eee3b2016c1f0f24f4070a0b9c14fcef35ef55a23215a316ceaa5d1cc48e98e172be0");
    private static readonly Fp G1Z = Fp.FromUInt64(11);

    // G2: E' : y^2 = x^3 + 240u·x + 1012(1 + u), Z = -(2 + u) (§8.8.2).
    private static readonly Fp2 G2A = new(Fp.Zero, Fp.FromUInt64(240));
    private static readonly Fp2 G2B = new(Fp.FromUInt64(1012), Fp.FromUInt64(1012));
    private static readonly Fp2 G2Z = new(-Fp.FromUInt64(2), -Fp.One);

    // sqrt_ratio constants of F.2.1.2: c1 = (p - 3)/4, c2 = sqrt(-Z) (either root: the sign of y is
    // fixed by sgn0 afterwards).
    private static readonly ulong[] G1SqrtRatioC1 = Limbs.FromBigInteger((Fp.Modulus - 3) / 4, 6);
    private static readonly Fp G1SqrtRatioC2 = SqrtOrThrow(-G1Z);

    // Constants of step 2/3 of §6.6.2, so that each G2 map needs a single inversion.
    private static readonly Fp2 G2NegBOverA = -G2B * G2A.Invert();
    private static readonly Fp2 G2BOverZA = G2B * (G2Z * G2A).Invert();

    private static readonly Fp[] G1XNum = Array.ConvertAll(IsogenyConstants.G1XNum, FromHex);
    private static readonly Fp[] G1XDen = Array.ConvertAll(IsogenyConstants.G1XDen, FromHex);
    private static readonly Fp[] G1YNum = Array.ConvertAll(IsogenyConstants.G1YNum, FromHex);
    private static readonly Fp[] G1YDen = Array.ConvertAll(IsogenyConstants.G1YDen, FromHex);
    private static readonly Fp2[] G2XNum = Array.ConvertAll(IsogenyConstants.G2XNum, FromHex2);
    private static readonly Fp2[] G2XDen = Array.ConvertAll(IsogenyConstants.G2XDen, FromHex2);
    private static readonly Fp2[] G2YNum = Array.ConvertAll(IsogenyConstants.G2YNum, FromHex2);
    private static readonly Fp2[] G2YDen = Array.ConvertAll(IsogenyConstants.G2YDen, FromHex2);

    private static readonly BigInteger X = -new BigInteger(0xd201000000010000);

    // h_eff for G1 is 1 - x (§8.8.1).
    private static readonly ulong[] G1HEff = Limbs.FromBigInteger(BigInteger.One - X, 1);

    // h_eff for G2 (§8.8.2) equals 3(x^2 - 1)·h2, h2 the G2 cofactor (Budroni–Pintore); computing it
    // from x avoids a 636-bit literal.
    private static readonly ulong[] G2HEff = Limbs.FromBigInteger(
        3 * (X * X - 1) * ((BigInteger.Pow(X, 8) - 4 * BigInteger.Pow(X, 7) + 5 * BigInteger.Pow(X, 6) - 4 * BigInteger.Pow(X, 4)
            + 6 * BigInteger.Pow(X, 3) - 4 * X * X - 4 * X + 13) / 9), 10);

    private static Fp SqrtOrThrow(in Fp a) =>
        a.TrySqrt(out var root) ? root : throw new InvalidOperationException("-Z must be a square in GF(p).");

    private static Fp FromHex(string hex) => Fp.FromCanonical(Limbs.FromHex(hex, 6));

    private static Fp2 FromHex2((string C0, string C1) c) => new(FromHex(c.C0), FromHex(c.C1));

    /// <summary>expand_message_xmd with SHA-256 (RFC 9380 §5.3.1), including the §5.3.3 rule for DSTs over 255 bytes.</summary>
    public static byte[] ExpandMessageXmd(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, int lengthInBytes)
    {
        const int bInBytes = 32, sInBytes = 64;
        if (dst.Length > 255) dst = SHA256.HashData([.. "H2C-OVERSIZE-DST-"u8, .. dst]);
        int ell = (lengthInBytes + bInBytes - 1) / bInBytes;
        if (ell > 255 || lengthInBytes > 65535 || lengthInBytes <= 0)
            throw new ArgumentOutOfRangeException(nameof(lengthInBytes), "expand_message_xmd: requested length out of range.");

        Span<byte> dstPrime = stackalloc byte[dst.Length + 1];
        dst.CopyTo(dstPrime);
        dstPrime[^1] = (byte)dst.Length;

        using var h = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        h.AppendData(new byte[sInBytes]); // Z_pad
        h.AppendData(msg);
        h.AppendData([(byte)(lengthInBytes >> 8), (byte)lengthInBytes, 0]);
        h.AppendData(dstPrime);
        Span<byte> b0 = stackalloc byte[bInBytes];
        h.GetHashAndReset(b0);

        var output = new byte[ell * bInBytes];
        Span<byte> bi = stackalloc byte[bInBytes];
        Span<byte> mixed = stackalloc byte[bInBytes];
        for (int i = 1; i <= ell; i++)
        {
            // b_1 = H(b_0 || 1 || DST'); b_i = H((b_0 xor b_{i-1}) || i || DST').
            for (int j = 0; j < bInBytes; j++) mixed[j] = (byte)(b0[j] ^ (i == 1 ? 0 : bi[j]));
            h.AppendData(mixed);
            h.AppendData([(byte)i]);
            h.AppendData(dstPrime);
            h.GetHashAndReset(bi);
            bi.CopyTo(output.AsSpan((i - 1) * bInBytes));
        }
        return output.AsSpan(0, lengthInBytes).ToArray();
    }

    public static Fp[] HashToFieldFp(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, int count)
    {
        var uniform = ExpandMessageXmd(msg, dst, count * L);
        var result = new Fp[count];
        for (int i = 0; i < count; i++) result[i] = Fp.FromWide(uniform.AsSpan(i * L, L));
        return result;
    }

    public static Fp2[] HashToFieldFp2(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst, int count)
    {
        var uniform = ExpandMessageXmd(msg, dst, count * 2 * L);
        var result = new Fp2[count];
        for (int i = 0; i < count; i++)
            result[i] = new Fp2(Fp.FromWide(uniform.AsSpan(2 * i * L, L)), Fp.FromWide(uniform.AsSpan((2 * i + 1) * L, L)));
        return result;
    }

    /// <summary>
    /// Simplified SWU onto E' followed by the 11-isogeny (Appendix E.2), in the straight-line form of
    /// Appendix F.2 with the sqrt_ratio of F.2.1.2 (p ≡ 3 mod 4): one exponentiation, no inversion,
    /// and no branch on field values.
    /// </summary>
    public static Projective<Fp> MapToG1Curve(in Fp u)
    {
        // F.2 steps 1–16: x1 = tv3/tv4 and g(x1) = tv2/tv6 as fractions, so no inv0 is needed.
        var tv1 = G1Z * u.Square();
        var tv2 = tv1.Square() + tv1;
        var tv3 = G1B * (tv2 + Fp.One);
        // Step 7: tv4 = Z when tv2 = 0 (the exceptional case of §6.6.2), else -tv2.
        var tv4 = G1A * Fp.Select(G1Z, -tv2, ~tv2.IsZeroMask);
        var tv6 = tv4.Square();
        var gxn = (tv3.Square() + G1A * tv6) * tv3;
        tv6 *= tv4;
        gxn += G1B * tv6;

        // Steps 17–22: when g(x1) is not square, x2 = Z·u²·x1 and sqrt_ratio has already returned
        // sqrt(Z·g(x1)), so y2 = Z·u³·sqrt(Z·g(x1)) needs no second root.
        var (isGx1Square, y1) = SqrtRatioG1(gxn, tv6);
        var xn = Fp.Select(tv1 * tv3, tv3, isGx1Square);
        var y = Fp.Select(tv1 * u * y1, y1, isGx1Square);
        // Step 23/24 (§4.1 sgn0): the sign of y follows the sign of u.
        ulong flip = 0 - ((u.ToCanonical().L0 ^ y.ToCanonical().L0) & 1);
        y = Fp.Select(y, -y, flip);

        return IsogenyG1(xn, tv4, y);
    }

    /// <summary>
    /// sqrt_ratio(u, v) of RFC 9380 F.2.1.2 for q ≡ 3 (mod 4): (all-ones, sqrt(u/v)) when u/v is square,
    /// else (0, sqrt(Z·u/v)), with a single exponentiation by c1 = (p - 3)/4.
    /// </summary>
    private static (ulong IsSquare, Fp Root) SqrtRatioG1(in Fp u, in Fp v)
    {
        var tv2 = u * v;
        var y1 = (v.Square() * tv2).Pow(G1SqrtRatioC1) * tv2;
        var y2 = y1 * G1SqrtRatioC2;
        ulong isSquare = (y1.Square() * v).EqualMask(u);
        return (isSquare, Fp.Select(y2, y1, isSquare));
    }

    /// <summary>
    /// The 11-isogeny of Appendix E.2 at x = xn/xd, in projective coordinates. Each polynomial of
    /// degree d is evaluated homogenised, as xd^d·P(xn/xd) = Σ k_i·xn^i·xd^(d-i), so no inversion of xd
    /// is needed: x' = XNum/(xd·XDen) (degrees 11 and 10) and y' = y·YNum/YDen (both degree 15, so their
    /// xd^15 factors cancel), giving (XNum·YDen : y·YNum·xd·XDen : xd·XDen·YDen).
    /// </summary>
    private static Projective<Fp> IsogenyG1(in Fp xn, in Fp xd, in Fp y)
    {
        Span<Fp> xdPowers = stackalloc Fp[16];
        xdPowers[0] = Fp.One;
        for (int i = 1; i < xdPowers.Length; i++) xdPowers[i] = xdPowers[i - 1] * xd;
        var xNum = HornerHomogeneous(G1XNum, xn, xdPowers);
        var xDen = HornerHomogeneous(G1XDen, xn, xdPowers) * xd;
        var yNum = HornerHomogeneous(G1YNum, xn, xdPowers);
        var yDen = HornerHomogeneous(G1YDen, xn, xdPowers);
        var z = xDen * yDen;
        // §6.6.3: a zero denominator maps to the identity, selected without a branch.
        return Projective<Fp>.Select(new Projective<Fp>(xNum * yDen, y * yNum * xDen, z), Projective<Fp>.Identity, z.IsZeroMask);
    }

    /// <summary>Σ k_i·xn^i·xd^(d-i) for ascending coefficients k_0 … k_d.</summary>
    private static Fp HornerHomogeneous(Fp[] ascending, in Fp xn, ReadOnlySpan<Fp> xdPowers)
    {
        int degree = ascending.Length - 1;
        var acc = ascending[degree];
        for (int i = degree - 1; i >= 0; i--) acc = acc * xn + ascending[i] * xdPowers[degree - i];
        return acc;
    }

    /// <summary>Simplified SWU onto E' over GF(p^2) followed by the 3-isogeny (Appendix E.3).</summary>
    public static Projective<Fp2> MapToG2Curve(in Fp2 u)
    {
        var zu2 = G2Z * u.Square();
        var tv1 = zu2.Square() + zu2;
        tv1 = tv1.IsZero ? Fp2.Zero : tv1.Invert();
        var x1 = tv1.IsZero ? G2BOverZA : G2NegBOverA * (Fp2.One + tv1);
        var gx1 = x1.Square() * x1 + G2A * x1 + G2B;
        // Decide with the norm's Legendre symbol (one GF(p) power) so that only one GF(p^2) square
        // root is taken.
        bool firstIsSquare = gx1.IsSquare();
        var x = firstIsSquare ? x1 : zu2 * x1;
        var gx = firstIsSquare ? gx1 : x.Square() * x + G2A * x + G2B;
        if (!gx.TrySqrt(out var y)) throw new CryptographicException("SSWU: neither gx1 nor gx2 is square.");
        if (u.Sgn0 != y.Sgn0) y = -y;

        var xn = Horner(G2XNum, x);
        var xd = Horner(G2XDen, x);
        var yn = Horner(G2YNum, x);
        var yd = Horner(G2YDen, x);
        if (xd.IsZero || yd.IsZero) return Projective<Fp2>.Identity;
        return new Projective<Fp2>(xn * yd, y * yn * xd, xd * yd);
    }

    private static Fp2 Horner(Fp2[] ascending, in Fp2 x)
    {
        var acc = ascending[^1];
        for (int i = ascending.Length - 2; i >= 0; i--) acc = acc * x + ascending[i];
        return acc;
    }

    public static Projective<Fp> ClearCofactorG1(in Projective<Fp> p) => p.MultiplyVartime(G1HEff);

    public static Projective<Fp2> ClearCofactorG2(in Projective<Fp2> p) => Endomorphisms.ClearCofactorG2(p);

    /// <summary>The same map as a plain h_eff multiplication (§8.8.2), to cross-check the ψ-based version.</summary>
    internal static Projective<Fp2> ClearCofactorG2ByHEff(in Projective<Fp2> p) => p.MultiplyVartime(G2HEff);

    /// <summary>hash_to_curve (§3): two field elements, map each, add, clear the cofactor.</summary>
    public static Projective<Fp> HashToG1(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        var u = HashToFieldFp(msg, dst, 2);
        var r = Projective<Fp>.Add(MapToG1Curve(u[0]), MapToG1Curve(u[1]));
        return ClearCofactorG1(r);
    }

    public static Projective<Fp2> HashToG2(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst)
    {
        var u = HashToFieldFp2(msg, dst, 2);
        var r = Projective<Fp2>.Add(MapToG2Curve(u[0]), MapToG2Curve(u[1]));
        return ClearCofactorG2(r);
    }

    public static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);
}

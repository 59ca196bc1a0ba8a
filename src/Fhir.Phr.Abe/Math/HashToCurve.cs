using System.Numerics;
using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Abe.Math;

/// <summary>
/// RFC 9380 hash_to_curve for the suites BLS12381G1_XMD:SHA-256_SSWU_RO_ and
/// BLS12381G2_XMD:SHA-256_SSWU_RO_ (§8.8.1, §8.8.2).
/// </summary>
/// <remarks>
/// The simplified SWU map follows the straight-line description of §6.6.2 with one inversion and
/// one or two square roots; it is not constant time in the hashed message, which is public here
/// (messages, attribute names).
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

    // Constants of step 2/3 of §6.6.2, so that each map needs a single inversion.
    private static readonly Fp G1NegBOverA = -G1B * G1A.Invert();
    private static readonly Fp G1BOverZA = G1B * (G1Z * G1A).Invert();
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

    /// <summary>Simplified SWU onto E' (§6.6.2) followed by the 11-isogeny (Appendix E.2).</summary>
    public static Projective<Fp> MapToG1Curve(in Fp u)
    {
        var zu2 = G1Z * u.Square();
        var tv1 = (zu2.Square() + zu2).Invert(); // inv0
        var x1 = tv1.IsZero ? G1BOverZA : G1NegBOverA * (Fp.One + tv1);
        var gx1 = x1.Square() * x1 + G1A * x1 + G1B;
        Fp x, y;
        if (gx1.TrySqrt(out var y1))
        {
            x = x1;
            y = y1;
        }
        else
        {
            x = zu2 * x1;
            var gx2 = x.Square() * x + G1A * x + G1B;
            if (!gx2.TrySqrt(out y)) throw new CryptographicException("SSWU: neither gx1 nor gx2 is square.");
        }
        if (u.IsOdd != y.IsOdd) y = -y;

        var xn = Horner(G1XNum, x);
        var xd = Horner(G1XDen, x);
        var yn = Horner(G1YNum, x);
        var yd = Horner(G1YDen, x);
        // §6.6.3: a zero denominator maps to the identity. In projective form (xn·yd : y·yn·xd : xd·yd).
        if (xd.IsZero || yd.IsZero) return Projective<Fp>.Identity;
        return new Projective<Fp>(xn * yd, y * yn * xd, xd * yd);
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

    private static Fp Horner(Fp[] ascending, in Fp x)
    {
        var acc = ascending[^1];
        for (int i = ascending.Length - 2; i >= 0; i--) acc = acc * x + ascending[i];
        return acc;
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

using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

/// <summary>A point of the BLS12-381 prime-order group G2 ⊂ E'(GF(p^2)): y^2 = x^3 + 4(1 + u).</summary>
public sealed class G2Point : IEquatable<G2Point>
{
    public const int CompressedLength = 96;
    public const int UncompressedLength = 192;

    internal readonly Projective<Fp2> P;

    internal G2Point(in Projective<Fp2> p) => P = p;

    public static G2Point Generator { get; } = new(Projective<Fp2>.FromAffine(
        new Fp2(G1Point.FromHex("024aa2b2f08f0a91260805272dc51051c6e47ad4fa403b02b4510b647ae3d1770bac0326a805bbefd48056c8c121bdb8"),
            G1Point.FromHex("13e02b6052719f607dacd3a088274f65596bd0d09920b61ab5da61bbdc7f5049334cf11213945d57e5ac7d055d042b7e")),
        new Fp2(G1Point.FromHex("0ce5d527727d6e118cc9cdc6da2e351aadfd9baa8cbdd3a76d429a695160d12c923ac9cc3baca289e193548608b82801"),
            G1Point.FromHex("0606c4a02ea734cc32acd2b02bc28b99cb3e287e85a763af267492ab572e99ab3f370d275cec1da1aaa9075ff05f79be"))));

    public static G2Point Identity { get; } = new(Projective<Fp2>.Identity);

    public bool IsIdentity => P.IsIdentity;

    /// <summary>RFC 9380 hash_to_curve, suite BLS12381G2_XMD:SHA-256_SSWU_RO_, with the caller's domain separation tag.</summary>
    public static G2Point HashToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst) => new(Math.HashToCurve.HashToG2(msg, dst));

    public G2Point Add(G2Point other) => new(Projective<Fp2>.Add(P, other.P));

    public G2Point Subtract(G2Point other) => new(Projective<Fp2>.Add(P, other.P.Negate()));

    public G2Point Double() => new(Projective<Fp2>.Double(P));

    public G2Point Negate() => new(P.Negate());

    // Built on first use (about a thousand additions); shared by every multiple of the generator.
    private static readonly Lazy<FixedBaseTable<Fp2>> GeneratorTable = new(() => new FixedBaseTable<Fp2>(Generator.P));

    /// <summary>Constant-time in the scalar; multiples of the generator use a precomputed table.</summary>
    public G2Point Multiply(Scalar scalar) =>
        ReferenceEquals(this, Generator) ? new(GeneratorTable.Value.Multiply(scalar)) : new(P.MultiplyConstantTime(scalar));

    /// <summary>Σ scalars[i]·points[i], constant time in the scalars, with shared doublings.</summary>
    public static G2Point MultiScalarMultiply(ReadOnlySpan<G2Point> points, ReadOnlySpan<Scalar> scalars)
    {
        var p = new Projective<Fp2>[points.Length];
        for (int i = 0; i < p.Length; i++) p[i] = points[i].P;
        return new G2Point(Projective<Fp2>.MultiplyConstantTime(p, scalars));
    }

    public static G2Point operator +(G2Point a, G2Point b) => a.Add(b);

    public static G2Point operator -(G2Point a) => a.Negate();

    public static G2Point operator *(G2Point a, Scalar k) => a.Multiply(k);

    /// <summary>Subgroup membership by the ψ endomorphism; the double-and-add runs over the public constant x, so its timing does not depend on the point.</summary>
    internal static bool IsInSubgroup(in Projective<Fp2> p) => Endomorphisms.IsInG2(p);

    /// <summary>Reference check r·P = O, slower; kept to cross-check the endomorphism test.</summary>
    internal static bool IsInSubgroupByOrder(in Projective<Fp2> p) => p.MultiplyVartime(G1Point.OrderLimbs).IsIdentity;

    private static void WriteFp2(in Fp2 v, Span<byte> destination)
    {
        // ZCash order: the u-coefficient first.
        v.C1.WriteBytes(destination[..48]);
        v.C0.WriteBytes(destination.Slice(48, 48));
    }

    private static bool TryReadFp2(ReadOnlySpan<byte> c1Bytes, ReadOnlySpan<byte> c0Bytes, out Fp2 value)
    {
        bool ok = Fp.TryFromBytes(c1Bytes, out var c1) & Fp.TryFromBytes(c0Bytes, out var c0);
        value = new Fp2(c0, c1);
        return ok;
    }

    public byte[] ToCompressed()
    {
        var bytes = new byte[CompressedLength];
        if (P.IsIdentity)
        {
            bytes[0] = 0xc0;
            return bytes;
        }
        var (x, y) = P.ToAffine();
        WriteFp2(x, bytes);
        bytes[0] |= (byte)(0x80 | (y.IsLexicographicallyLargest ? 0x20 : 0));
        return bytes;
    }

    public byte[] ToUncompressed()
    {
        var bytes = new byte[UncompressedLength];
        if (P.IsIdentity)
        {
            bytes[0] = 0x40;
            return bytes;
        }
        var (x, y) = P.ToAffine();
        WriteFp2(x, bytes);
        WriteFp2(y, bytes.AsSpan(96));
        return bytes;
    }

    /// <exception cref="FormatException">The bytes do not encode a point of G2.</exception>
    public static G2Point FromCompressed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != CompressedLength) throw new FormatException($"A compressed G2 point is {CompressedLength} bytes, got {bytes.Length}.");
        byte flags = bytes[0];
        if ((flags & 0x80) == 0) throw new FormatException("G2 point: compression flag not set.");
        Span<byte> xb = stackalloc byte[96];
        bytes.CopyTo(xb);
        xb[0] &= 0x1f;
        if ((flags & 0x40) != 0)
        {
            if ((flags & 0x20) != 0 || xb.ContainsAnyExcept((byte)0)) throw new FormatException("G2 point: malformed point at infinity.");
            return Identity;
        }
        if (!TryReadFp2(xb[..48], xb[48..], out var x)) throw new FormatException("G2 point: x is not below p.");
        var y2 = x.Square() * x + new Fp2(Fp.FromUInt64(4), Fp.FromUInt64(4));
        if (!y2.TrySqrt(out var y)) throw new FormatException("G2 point: not on the curve.");
        // Masked rather than branched: user keys are secret and are parsed with this code.
        ulong flip = 0UL - (ulong)((y.IsLexicographicallyLargest ? 1 : 0) ^ ((flags >> 5) & 1));
        y = Fp2.Select(y, -y, flip);
        var p = Projective<Fp2>.FromAffine(x, y);
        if (!IsInSubgroup(p)) throw new FormatException("G2 point: not in the prime-order subgroup.");
        return new G2Point(p);
    }

    /// <exception cref="FormatException">The bytes do not encode a point of G2.</exception>
    public static G2Point FromUncompressed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != UncompressedLength) throw new FormatException($"An uncompressed G2 point is {UncompressedLength} bytes, got {bytes.Length}.");
        byte flags = bytes[0];
        if ((flags & 0x80) != 0 || (flags & 0x20) != 0) throw new FormatException("G2 point: invalid flags for the uncompressed form.");
        Span<byte> xb = stackalloc byte[96];
        bytes[..96].CopyTo(xb);
        xb[0] &= 0x1f;
        if ((flags & 0x40) != 0)
        {
            if (xb.ContainsAnyExcept((byte)0) || bytes[96..].ContainsAnyExcept((byte)0)) throw new FormatException("G2 point: malformed point at infinity.");
            return Identity;
        }
        if (!TryReadFp2(xb[..48], xb[48..], out var x) || !TryReadFp2(bytes.Slice(96, 48), bytes.Slice(144, 48), out var y))
            throw new FormatException("G2 point: coordinate is not below p.");
        var p = Projective<Fp2>.FromAffine(x, y);
        if (!p.IsOnCurve) throw new FormatException("G2 point: not on the curve.");
        if (!IsInSubgroup(p)) throw new FormatException("G2 point: not in the prime-order subgroup.");
        return new G2Point(p);
    }

    public bool Equals(G2Point? other) => other is not null && P.EqualsPoint(other.P);

    public override bool Equals(object? obj) => Equals(obj as G2Point);

    public override int GetHashCode()
    {
        // Projective coordinates are not unique; the encoding is.
        var hash = new HashCode();
        hash.AddBytes(ToCompressed());
        return hash.ToHashCode();
    }

    public override string ToString() => Convert.ToHexString(ToCompressed()).ToLowerInvariant();
}

using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

/// <summary>A point of the BLS12-381 prime-order group G1 ⊂ E(GF(p)): y^2 = x^3 + 4.</summary>
public sealed class G1Point : IEquatable<G1Point>
{
    public const int CompressedLength = 48;
    public const int UncompressedLength = 96;

    internal static readonly ulong[] OrderLimbs = [Scalar.R0, Scalar.R1, Scalar.R2, Scalar.R3];

    internal readonly Projective<Fp> P;

    internal G1Point(in Projective<Fp> p) => P = p;

    public static G1Point Generator { get; } = new(Projective<Fp>.FromAffine(
        FromHex("17f1d3a73197d7942695638c4fa9ac0fc3688c4f9774b905a14e3a3f171bac586c55e83ff97a1aeffb3af00adb22c6bb"),
        FromHex("08b3f481e3aaa0f1a09e30ed741d8ae4fcf5e095d5d00af600db18cb2c04b3edd03cc744a2888ae40caa232946c5e7e1")));

    public static G1Point Identity { get; } = new(Projective<Fp>.Identity);

    internal static Fp FromHex(string hex) => Fp.FromCanonical(Limbs.FromHex(hex, 6));

    public bool IsIdentity => P.IsIdentity;

    /// <summary>RFC 9380 hash_to_curve, suite BLS12381G1_XMD:SHA-256_SSWU_RO_, with the caller's domain separation tag.</summary>
    public static G1Point HashToCurve(ReadOnlySpan<byte> msg, ReadOnlySpan<byte> dst) => new(Math.HashToCurve.HashToG1(msg, dst));

    public G1Point Add(G1Point other) => new(Projective<Fp>.Add(P, other.P));

    public G1Point Subtract(G1Point other) => new(Projective<Fp>.Add(P, other.P.Negate()));

    public G1Point Double() => new(Projective<Fp>.Double(P));

    public G1Point Negate() => new(P.Negate());

    // Built on first use (about a thousand additions); shared by every multiple of the generator.
    private static readonly Lazy<FixedBaseTable<Fp>> GeneratorTable = new(() => new FixedBaseTable<Fp>(Generator.P));

    /// <summary>Constant-time in the scalar; multiples of the generator use a precomputed table.</summary>
    public G1Point Multiply(Scalar scalar) =>
        ReferenceEquals(this, Generator) ? new(GeneratorTable.Value.Multiply(scalar)) : new(Endomorphisms.MultiplyGlv([P], [scalar]));

    /// <summary>Σ scalars[i]·points[i], constant time in the scalars, with shared doublings.</summary>
    public static G1Point MultiScalarMultiply(ReadOnlySpan<G1Point> points, ReadOnlySpan<Scalar> scalars)
    {
        var p = new Projective<Fp>[points.Length];
        for (int i = 0; i < p.Length; i++) p[i] = points[i].P;
        return new G1Point(Endomorphisms.MultiplyGlv(p, scalars));
    }

    public static G1Point operator +(G1Point a, G1Point b) => a.Add(b);

    public static G1Point operator -(G1Point a) => a.Negate();

    public static G1Point operator *(G1Point a, Scalar k) => a.Multiply(k);

    /// <summary>Subgroup membership by the φ endomorphism; the double-and-add runs over the public constant x, so its timing does not depend on the point.</summary>
    internal static bool IsInSubgroup(in Projective<Fp> p) => Endomorphisms.IsInG1(p);

    /// <summary>Reference check r·P = O, slower; kept to cross-check the endomorphism test.</summary>
    internal static bool IsInSubgroupByOrder(in Projective<Fp> p) => p.MultiplyVartime(OrderLimbs).IsIdentity;

    /// <summary>ZCash compressed form: x big-endian with flags 0x80 (compressed), 0x40 (infinity), 0x20 (y is the larger root).</summary>
    public byte[] ToCompressed()
    {
        var bytes = new byte[CompressedLength];
        WriteCompressed(P.IsIdentity, P.ToAffine(), bytes);
        return bytes;
    }

    private static void WriteCompressed(bool isIdentity, (Fp X, Fp Y) affine, Span<byte> destination)
    {
        if (isIdentity)
        {
            destination[..CompressedLength].Clear();
            destination[0] = 0xc0;
            return;
        }
        affine.X.WriteBytes(destination);
        destination[0] |= (byte)(0x80 | (affine.Y.IsLexicographicallyLargest ? 0x20 : 0));
    }

    /// <summary>Compressed encodings of many points, sharing one field inversion.</summary>
    internal static byte[] ToCompressedBatch(ReadOnlySpan<G1Point> points)
    {
        var projective = new Projective<Fp>[points.Length];
        for (int i = 0; i < points.Length; i++) projective[i] = points[i].P;
        var affine = Projective<Fp>.BatchToAffine(projective);
        var bytes = new byte[points.Length * CompressedLength];
        for (int i = 0; i < points.Length; i++) WriteCompressed(projective[i].IsIdentity, affine[i], bytes.AsSpan(i * CompressedLength));
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
        x.WriteBytes(bytes);
        y.WriteBytes(bytes.AsSpan(48));
        return bytes;
    }

    /// <summary>Parses a compressed point, checking flags, canonical x, curve membership and the subgroup.</summary>
    /// <exception cref="FormatException">The bytes do not encode a point of G1.</exception>
    public static G1Point FromCompressed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != CompressedLength) throw new FormatException($"A compressed G1 point is {CompressedLength} bytes, got {bytes.Length}.");
        byte flags = bytes[0];
        if ((flags & 0x80) == 0) throw new FormatException("G1 point: compression flag not set.");
        Span<byte> xb = stackalloc byte[48];
        bytes.CopyTo(xb);
        xb[0] &= 0x1f;
        if ((flags & 0x40) != 0)
        {
            if ((flags & 0x20) != 0 || xb.ContainsAnyExcept((byte)0)) throw new FormatException("G1 point: malformed point at infinity.");
            return Identity;
        }
        if (!Fp.TryFromBytes(xb, out var x)) throw new FormatException("G1 point: x is not below p.");
        var y2 = x.Square() * x + Fp.FromUInt64(4);
        if (!y2.TrySqrt(out var y)) throw new FormatException("G1 point: not on the curve.");
        // Masked rather than branched: user keys are secret and are parsed with this code.
        ulong flip = 0UL - (ulong)((y.IsLexicographicallyLargest ? 1 : 0) ^ ((flags >> 5) & 1));
        y = Fp.Select(y, -y, flip);
        var p = Projective<Fp>.FromAffine(x, y);
        if (!IsInSubgroup(p)) throw new FormatException("G1 point: not in the prime-order subgroup.");
        return new G1Point(p);
    }

    /// <exception cref="FormatException">The bytes do not encode a point of G1.</exception>
    public static G1Point FromUncompressed(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != UncompressedLength) throw new FormatException($"An uncompressed G1 point is {UncompressedLength} bytes, got {bytes.Length}.");
        byte flags = bytes[0];
        if ((flags & 0x80) != 0 || (flags & 0x20) != 0) throw new FormatException("G1 point: invalid flags for the uncompressed form.");
        Span<byte> xb = stackalloc byte[48];
        bytes[..48].CopyTo(xb);
        xb[0] &= 0x1f;
        if ((flags & 0x40) != 0)
        {
            if (xb.ContainsAnyExcept((byte)0) || bytes[48..].ContainsAnyExcept((byte)0)) throw new FormatException("G1 point: malformed point at infinity.");
            return Identity;
        }
        if (!Fp.TryFromBytes(xb, out var x) || !Fp.TryFromBytes(bytes[48..], out var y)) throw new FormatException("G1 point: coordinate is not below p.");
        var p = Projective<Fp>.FromAffine(x, y);
        if (!p.IsOnCurve) throw new FormatException("G1 point: not on the curve.");
        if (!IsInSubgroup(p)) throw new FormatException("G1 point: not in the prime-order subgroup.");
        return new G1Point(p);
    }

    public bool Equals(G1Point? other) => other is not null && P.EqualsPoint(other.P);

    public override bool Equals(object? obj) => Equals(obj as G1Point);

    public override int GetHashCode()
    {
        // Projective coordinates are not unique; the encoding is.
        var hash = new HashCode();
        hash.AddBytes(ToCompressed());
        return hash.ToHashCode();
    }

    public override string ToString() => Convert.ToHexString(ToCompressed()).ToLowerInvariant();
}

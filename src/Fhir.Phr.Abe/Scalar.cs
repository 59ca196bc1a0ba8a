using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

/// <summary>
/// An integer modulo the BLS12-381 group order
/// r = 0x73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001,
/// held in Montgomery form in four 64-bit limbs. Arithmetic is constant time.
/// </summary>
[SkipLocalsInit]
public readonly struct Scalar : IEquatable<Scalar>
{
    public const int ByteLength = 32;

    internal const ulong R0 = 0xffffffff00000001, R1 = 0x53bda402fffe5bfe, R2 = 0x3339d80809a1d805, R3 = 0x73eda753299d7d48;
    private const ulong Inv = 0xfffffffeffffffff;

    internal static readonly System.Numerics.BigInteger Modulus = Limbs.ToBigInteger([R0, R1, R2, R3]);
    private static readonly ulong[] RMinus2 = Limbs.FromBigInteger(Modulus - 2, 4);
    private static readonly Scalar Mont2To64 = FromCanonicalUnchecked(Limbs.FromBigInteger((System.Numerics.BigInteger.One << 64) % Modulus, 4));

    internal readonly ulong L0, L1, L2, L3;

    private Scalar(ulong l0, ulong l1, ulong l2, ulong l3)
    {
        L0 = l0; L1 = l1; L2 = l2; L3 = l3;
    }

    public static Scalar Zero => default;

    // 2^256 mod r.
    public static Scalar One => new(0x00000001fffffffe, 0x5884b7fa00034802, 0x998c4fefecbc4ff5, 0x1824b159acc5056f);

    // 2^512 mod r.
    private static Scalar RR => new(0xc999e990f3f29c6d, 0x2b6cedcb87925c23, 0x05d314967254398f, 0x0748d9d99f59ff11);

    public bool IsZero => (L0 | L1 | L2 | L3) == 0;

    public static Scalar FromUInt64(ulong value) => new Scalar(value, 0, 0, 0) * RR;

    private static Scalar FromCanonicalUnchecked(ReadOnlySpan<ulong> l) => new Scalar(l[0], l[1], l[2], l[3]) * RR;

    /// <summary>Interprets any number of big-endian bytes as an integer and reduces it mod r.</summary>
    public static Scalar FromBigEndian(ReadOnlySpan<byte> bytes)
    {
        var acc = Zero;
        int head = bytes.Length % 8;
        if (head != 0)
        {
            ulong w = 0;
            for (int i = 0; i < head; i++) w = (w << 8) | bytes[i];
            acc = new Scalar(w, 0, 0, 0) * RR;
        }
        for (int i = head; i < bytes.Length; i += 8)
        {
            // A 64-bit word is below r, so it is a valid canonical value.
            var word = new Scalar(BinaryPrimitives.ReadUInt64BigEndian(bytes[i..]), 0, 0, 0) * RR;
            acc = acc * Mont2To64 + word;
        }
        return acc;
    }

    /// <summary>Parses exactly 32 big-endian bytes, rejecting values not below r.</summary>
    internal static bool TryFromCanonical(ReadOnlySpan<byte> bytes32, out Scalar value)
    {
        if (bytes32.Length != ByteLength) throw new ArgumentException("A scalar is 32 bytes.", nameof(bytes32));
        ulong l3 = BinaryPrimitives.ReadUInt64BigEndian(bytes32), l2 = BinaryPrimitives.ReadUInt64BigEndian(bytes32[8..]);
        ulong l1 = BinaryPrimitives.ReadUInt64BigEndian(bytes32[16..]), l0 = BinaryPrimitives.ReadUInt64BigEndian(bytes32[24..]);
        ulong borrow = 0;
        _ = Limbs.Sub(l0, R0, ref borrow); _ = Limbs.Sub(l1, R1, ref borrow);
        _ = Limbs.Sub(l2, R2, ref borrow); _ = Limbs.Sub(l3, R3, ref borrow);
        value = new Scalar(l0, l1, l2, l3) * RR;
        return borrow == 1;
    }

    /// <summary>A uniformly random scalar (64 random bytes reduced mod r; bias below 2^-250).</summary>
    public static Scalar Random()
    {
        Span<byte> buffer = stackalloc byte[64];
        RandomNumberGenerator.Fill(buffer);
        var s = FromBigEndian(buffer);
        CryptographicOperations.ZeroMemory(buffer);
        return s;
    }

    /// <summary>A uniformly random non-zero scalar.</summary>
    public static Scalar RandomNonZero()
    {
        while (true)
        {
            var s = Random();
            if (!s.IsZero) return s;
        }
    }

    public byte[] ToBigEndian()
    {
        var bytes = new byte[ByteLength];
        WriteBigEndian(bytes);
        return bytes;
    }

    public void WriteBigEndian(Span<byte> destination)
    {
        var c = ToCanonical();
        BinaryPrimitives.WriteUInt64BigEndian(destination, c.L3);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], c.L2);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], c.L1);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], c.L0);
    }

    /// <summary>Canonical value as a Scalar whose limbs are the plain integer (not Montgomery form).</summary>
    internal Scalar ToCanonical() => this * new Scalar(1, 0, 0, 0);

    /// <summary>Bit i of the canonical value.</summary>
    internal static int Bit(in Scalar canonical, int i) => (int)((i switch
    {
        < 64 => canonical.L0 >> i,
        < 128 => canonical.L1 >> (i - 64),
        < 192 => canonical.L2 >> (i - 128),
        _ => canonical.L3 >> (i - 192),
    }) & 1);

    /// <summary>A 4-bit window of the canonical value starting at bit i (i a multiple of 4).</summary>
    internal static int Nibble(in Scalar canonical, int i) => (int)((i switch
    {
        < 64 => canonical.L0 >> i,
        < 128 => canonical.L1 >> (i - 64),
        < 192 => canonical.L2 >> (i - 128),
        _ => canonical.L3 >> (i - 192),
    }) & 0xF);

    public static Scalar operator +(Scalar a, Scalar b)
    {
        ulong c = 0;
        ulong s0 = Limbs.Add(a.L0, b.L0, ref c), s1 = Limbs.Add(a.L1, b.L1, ref c);
        ulong s2 = Limbs.Add(a.L2, b.L2, ref c), s3 = Limbs.Add(a.L3, b.L3, ref c);
        return ReduceOnce(s0, s1, s2, s3);
    }

    public static Scalar operator -(Scalar a, Scalar b)
    {
        ulong br = 0;
        ulong d0 = Limbs.Sub(a.L0, b.L0, ref br), d1 = Limbs.Sub(a.L1, b.L1, ref br);
        ulong d2 = Limbs.Sub(a.L2, b.L2, ref br), d3 = Limbs.Sub(a.L3, b.L3, ref br);
        ulong mask = 0 - br;
        ulong c = 0;
        d0 = Limbs.Add(d0, R0 & mask, ref c); d1 = Limbs.Add(d1, R1 & mask, ref c);
        d2 = Limbs.Add(d2, R2 & mask, ref c); d3 = Limbs.Add(d3, R3 & mask, ref c);
        return new Scalar(d0, d1, d2, d3);
    }

    public static Scalar operator -(Scalar a) => Zero - a;

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Scalar ReduceOnce(ulong s0, ulong s1, ulong s2, ulong s3)
    {
        ulong br = 0;
        ulong d0 = Limbs.Sub(s0, R0, ref br), d1 = Limbs.Sub(s1, R1, ref br);
        ulong d2 = Limbs.Sub(s2, R2, ref br), d3 = Limbs.Sub(s3, R3, ref br);
        ulong keepS = 0 - br;
        ulong keepD = ~keepS;
        return new Scalar((s0 & keepS) | (d0 & keepD), (s1 & keepS) | (d1 & keepD), (s2 & keepS) | (d2 & keepD), (s3 & keepS) | (d3 & keepD));
    }

    /// <summary>Montgomery CIOS product; r's top limb is below 2^63 - 1, so the no-carry variant applies.</summary>
    public static Scalar operator *(Scalar a, Scalar b)
    {
        ulong t0 = 0, t1 = 0, t2 = 0, t3 = 0;
        Step(b.L0, a, ref t0, ref t1, ref t2, ref t3);
        Step(b.L1, a, ref t0, ref t1, ref t2, ref t3);
        Step(b.L2, a, ref t0, ref t1, ref t2, ref t3);
        Step(b.L3, a, ref t0, ref t1, ref t2, ref t3);
        return ReduceOnce(t0, t1, t2, t3);
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Step(ulong bi, in Scalar a, ref ulong t0, ref ulong t1, ref ulong t2, ref ulong t3)
    {
        ulong A = Limbs.MulAdd(a.L0, bi, t0, out t0);
        ulong m = t0 * Inv;
        ulong C = Limbs.MulHigh(m, R0) + (t0 != 0 ? 1UL : 0UL); // low word of m·r0 + t0 is 0 by choice of m
        A = Limbs.MulAdd(a.L1, bi, t1, A, out t1);
        C = Limbs.MulAdd(m, R1, t1, C, out t0);
        A = Limbs.MulAdd(a.L2, bi, t2, A, out t2);
        C = Limbs.MulAdd(m, R2, t2, C, out t1);
        A = Limbs.MulAdd(a.L3, bi, t3, A, out t3);
        C = Limbs.MulAdd(m, R3, t3, C, out t2);
        t3 = C + A;
    }

    /// <summary>Multiplicative inverse by Fermat (exponent public, so constant time); zero maps to zero.</summary>
    public Scalar Invert()
    {
        var result = One;
        for (int i = 3; i >= 0; i--)
        {
            for (int bit = 63; bit >= 0; bit--)
            {
                result *= result;
                if (((RMinus2[i] >> bit) & 1) == 1) result *= this;
            }
        }
        return result;
    }

    public bool Equals(Scalar other) => ((L0 ^ other.L0) | (L1 ^ other.L1) | (L2 ^ other.L2) | (L3 ^ other.L3)) == 0;

    public override bool Equals(object? obj) => obj is Scalar s && Equals(s);

    public override int GetHashCode() => HashCode.Combine(L0, L1, L2, L3);

    public static bool operator ==(Scalar a, Scalar b) => a.Equals(b);

    public static bool operator !=(Scalar a, Scalar b) => !a.Equals(b);

    public override string ToString() => Convert.ToHexString(ToBigEndian());
}

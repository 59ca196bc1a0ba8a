using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

/// <summary>An element of the target group GT ⊂ GF(p^12)^*, of order r.</summary>
public sealed class Gt : IEquatable<Gt>
{
    public const int ByteLength = 576;

    internal readonly Fp12 Value;

    internal Gt(in Fp12 value) => Value = value;

    public static Gt Identity { get; } = new(Fp12.One);

    public bool IsIdentity => Value.IsOne;

    public Gt Multiply(Gt other) => new(Value * other.Value);

    public Gt Inverse() => new(Value.Conjugate()); // unitary: the inverse is the conjugate

    public static Gt operator *(Gt a, Gt b) => a.Multiply(b);

    /// <summary>
    /// Exponentiation by a secret scalar: 4-bit fixed windows with masked table reads and
    /// cyclotomic squarings (GT lies in the cyclotomic subgroup).
    /// </summary>
    public Gt Pow(Scalar exponent) => PowProduct([this], [exponent]);

    /// <summary>Π bases[i]^exponents[i] in constant time, sharing one chain of cyclotomic squarings.</summary>
    public static Gt PowProduct(ReadOnlySpan<Gt> bases, ReadOnlySpan<Scalar> exponents)
    {
        if (bases.Length != exponents.Length) throw new ArgumentException("One exponent per base is required.", nameof(exponents));
        int n = bases.Length;
        var table = new Fp12[16 * n];
        var k = new Scalar[n];
        for (int i = 0; i < n; i++)
        {
            k[i] = exponents[i].ToCanonical();
            table[16 * i] = Fp12.One;
            table[16 * i + 1] = bases[i].Value;
            for (int j = 2; j < 16; j++) table[16 * i + j] = table[16 * i + j - 1] * bases[i].Value;
        }
        var acc = Fp12.One;
        for (int w = 252; w >= 0; w -= 4)
        {
            acc = acc.CyclotomicSquare().CyclotomicSquare().CyclotomicSquare().CyclotomicSquare();
            for (int i = 0; i < n; i++)
            {
                ulong nibble = (ulong)Scalar.Nibble(k[i], w);
                var pick = table[16 * i];
                for (int j = 1; j < 16; j++)
                {
                    ulong diff = nibble ^ (ulong)j;
                    ulong mask = ((diff | (0 - diff)) >> 63) - 1;
                    pick = Fp12.Select(pick, table[16 * i + j], mask);
                }
                acc *= pick;
            }
        }
        return new Gt(acc);
    }

    /// <summary>
    /// Precomputed powers T^(d·32^w) (d = 0..16) of a fixed GT base, so that T^k costs 52
    /// multiplications and no squarings, with k in signed 5-bit digits: a negative digit takes the
    /// conjugate, which is the inverse in the cyclotomic subgroup. Table reads and the sign are
    /// applied by mask as in <see cref="PowProduct"/>.
    /// </summary>
    internal sealed class FixedBaseTable
    {
        private const int Windows = SignedWindow.ScalarWindows;
        private const int Size = SignedWindow.TableSize;
        private readonly Fp12[] _entries = new Fp12[Windows * Size];

        public FixedBaseTable(Gt basePoint)
        {
            var b = basePoint.Value;
            for (int w = 0; w < Windows; w++)
            {
                _entries[Size * w] = Fp12.One;
                for (int d = 1; d < Size; d++) _entries[Size * w + d] = _entries[Size * w + d - 1] * b;
                b = _entries[Size * w + Size - 1].CyclotomicSquare();
            }
        }

        public Fp12 Pow(in Scalar exponent)
        {
            var k = exponent.ToCanonical();
            var acc = Fp12.One;
            for (int w = 0; w < Windows; w++)
            {
                ulong digit = SignedWindow.Digit(k, w, out ulong negative);
                var pick = _entries[Size * w];
                for (int d = 1; d < Size; d++)
                {
                    ulong diff = digit ^ (ulong)d;
                    ulong mask = ((diff | (0 - diff)) >> 63) - 1;
                    pick = Fp12.Select(pick, _entries[Size * w + d], mask);
                }
                acc *= Fp12.Select(pick, pick.Conjugate(), negative);
            }
            return acc;
        }
    }

    /// <summary>576 bytes in @noble/curves Fp12.toBytes order (c0.c0.c0 first, 48-byte big-endian each).</summary>
    public byte[] ToBytes()
    {
        var bytes = new byte[ByteLength];
        Value.WriteBytes(bytes);
        return bytes;
    }

    /// <summary>Parses 576 bytes as written by <see cref="ToBytes"/>, checking every coordinate is below p and that the element has order r.</summary>
    /// <exception cref="FormatException">The bytes do not encode an element of GT.</exception>
    public static Gt FromBytes(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length != ByteLength) throw new FormatException($"A GT element is {ByteLength} bytes, got {bytes.Length}.");
        Span<Fp> c = stackalloc Fp[12];
        for (int i = 0; i < 12; i++)
        {
            if (!Fp.TryFromBytes(bytes.Slice(48 * i, 48), out c[i])) throw new FormatException("GT element: coordinate is not below p.");
        }
        var f = new Fp12(
            new Fp6(new Fp2(c[0], c[1]), new Fp2(c[2], c[3]), new Fp2(c[4], c[5])),
            new Fp6(new Fp2(c[6], c[7]), new Fp2(c[8], c[9]), new Fp2(c[10], c[11])));
        // f^r = 1 (which also rules out 0) places f in the order-r subgroup GT.
        var acc = Fp12.One;
        for (int i = G1Point.OrderLimbs.Length - 1; i >= 0; i--)
        {
            for (int bit = 63; bit >= 0; bit--)
            {
                acc = acc.Square();
                if (((G1Point.OrderLimbs[i] >> bit) & 1) == 1) acc *= f;
            }
        }
        if (!acc.IsOne) throw new FormatException("GT element: not in the order-r subgroup.");
        return new Gt(f);
    }

    /// <summary>Constant-time comparison (GT values can be key material).</summary>
    public bool Equals(Gt? other) => other is not null && Value.EqualMask(other.Value) != 0;

    public override bool Equals(object? obj) => Equals(obj as Gt);

    public override int GetHashCode() => Value.GetHashCode();

    public static bool operator ==(Gt? a, Gt? b) => a is null ? b is null : a.Equals(b);

    public static bool operator !=(Gt? a, Gt? b) => !(a == b);
}

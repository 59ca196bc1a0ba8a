using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics.X86;

namespace Fhir.Phr.Abe.Math;

/// <summary>Carry-propagating word primitives for the Montgomery fields.</summary>
/// <remarks>
/// .NET has no add-with-carry intrinsic (dotnet/runtime #48247), so carries come from unsigned
/// comparisons; the JIT lowers <c>x &lt; y ? 1 : 0</c> to <c>cmp</c>/<c>setb</c>, which is branch-free.
/// </remarks>
internal static class Limbs
{
    /// <summary>Returns the high word of a*b + c + carry and the low word in <paramref name="lo"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MulAdd(ulong a, ulong b, ulong c, ulong carry, out ulong lo)
    {
        ulong hi = MulHigh(a, b);
        ulong l = a * b;
        l += c;
        hi += l < c ? 1UL : 0UL;
        l += carry;
        hi += l < carry ? 1UL : 0UL;
        lo = l;
        return hi;
    }

    /// <summary>Returns the high word of a*b + c and the low word in <paramref name="lo"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MulAdd(ulong a, ulong b, ulong c, out ulong lo)
    {
        ulong hi = MulHigh(a, b);
        ulong l = a * b;
        l += c;
        hi += l < c ? 1UL : 0UL;
        lo = l;
        return hi;
    }

    /// <summary>
    /// High word of a*b. Math.BigMul's out-parameter sends the low word through memory (a store and
    /// reload per product); taking the high word from mulx and the low word from imul keeps both in
    /// registers.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong MulHigh(ulong a, ulong b) =>
        Bmi2.X64.IsSupported ? Bmi2.X64.MultiplyNoFlags(a, b) : System.Math.BigMul(a, b, out _);

    /// <summary>a + b + carryIn; returns the sum, carry out (0 or 1) in <paramref name="carry"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Add(ulong a, ulong b, ref ulong carry)
    {
        ulong s = a + b;
        ulong c1 = s < a ? 1UL : 0UL;
        ulong r = s + carry;
        carry = c1 | (r < s ? 1UL : 0UL);
        return r;
    }

    /// <summary>a - b - borrowIn; borrow out (0 or 1) in <paramref name="borrow"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static ulong Sub(ulong a, ulong b, ref ulong borrow)
    {
        ulong d = a - b;
        ulong b1 = a < b ? 1UL : 0UL;
        ulong r = d - borrow;
        borrow = b1 | (d < borrow ? 1UL : 0UL);
        return r;
    }

    /// <summary>Parses a big-endian hex number into little-endian 64-bit limbs (set-up only).</summary>
    public static ulong[] FromHex(string hex, int limbs)
    {
        var value = BigInteger.Parse("0" + hex.Replace("0x", "", StringComparison.Ordinal), System.Globalization.NumberStyles.HexNumber, System.Globalization.CultureInfo.InvariantCulture);
        return FromBigInteger(value, limbs);
    }

    public static ulong[] FromBigInteger(BigInteger value, int limbs)
    {
        var result = new ulong[limbs];
        var mask = (BigInteger.One << 64) - 1;
        for (int i = 0; i < limbs; i++)
        {
            result[i] = (ulong)(value & mask);
            value >>= 64;
        }
        if (!value.IsZero) throw new ArgumentOutOfRangeException(nameof(value));
        return result;
    }

    public static BigInteger ToBigInteger(ReadOnlySpan<ulong> limbs)
    {
        BigInteger value = BigInteger.Zero;
        for (int i = limbs.Length - 1; i >= 0; i--) value = (value << 64) | limbs[i];
        return value;
    }
}

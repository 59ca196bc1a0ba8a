namespace Fhir.Phr.Abe.Math;

/// <summary>
/// Signed 5-bit window recoding (Booth) of canonical scalars for the fixed-base tables:
/// k = Σ (−1)^neg_i · d_i · 32^i with 0 ≤ d_i ≤ 16, so a table holds 17 multiples per window and a
/// negative digit costs only a negation applied by mask. 52 windows cover a 255-bit scalar plus the
/// recoding carry, against 64 unsigned 4-bit windows.
/// </summary>
internal static class SignedWindow
{
    public const int Bits = 5;
    public const int ScalarWindows = 52;
    public const int TableSize = 17;

    /// <summary>Digit i of a canonical scalar; branch-free in the scalar (the shifts depend only on i).</summary>
    public static ulong Digit(in Scalar canonical, int i, out ulong negMask)
    {
        int pos = Bits * i - 1; // bits pos … pos+5, bit −1 being 0
        ulong w = pos < 0 ? canonical.L0 << 1 : Window(canonical, pos);
        return Recode(w & 0x3f, out negMask);
    }

    /// <summary>BoringSSL ec_GFp_nistp_recode_scalar_bits for 6 bits of input.</summary>
    public static ulong Recode(ulong w, out ulong negMask)
    {
        ulong s = 0 - (w >> 5); // all ones when the window's top bit is set
        ulong d = ((63 - w) & s) | (w & ~s);
        negMask = s;
        return (d >> 1) + (d & 1);
    }

    private static ulong Window(in Scalar k, int pos)
    {
        int limb = pos >> 6, off = pos & 63;
        ulong lo = Limb(k, limb) >> off;
        ulong hi = off > 58 && limb < 3 ? Limb(k, limb + 1) << (64 - off) : 0;
        return lo | hi;
    }

    private static ulong Limb(in Scalar k, int i) => i switch
    {
        0 => k.L0,
        1 => k.L1,
        2 => k.L2,
        _ => k.L3,
    };
}

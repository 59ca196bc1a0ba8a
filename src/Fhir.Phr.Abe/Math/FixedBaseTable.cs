namespace Fhir.Phr.Abe.Math;

/// <summary>
/// Precomputed multiples d·32^w·B (w = 0..51, d = 0..16) of a fixed base B, so that k·B costs 52
/// complete additions and no doublings, with k recoded into signed 5-bit digits
/// (<see cref="SignedWindow"/>). Lookups read every entry of a window and keep one by mask and apply
/// the digit's sign by mask, so the cost and memory access pattern do not depend on the secret scalar.
/// </summary>
internal sealed class FixedBaseTable<F> where F : struct, ICurveField<F>
{
    private const int Windows = SignedWindow.ScalarWindows;
    private const int Size = SignedWindow.TableSize;
    private readonly Projective<F>[] _entries = new Projective<F>[Windows * Size];

    public FixedBaseTable(in Projective<F> basePoint)
    {
        var b = basePoint;
        for (int w = 0; w < Windows; w++)
        {
            _entries[Size * w] = Projective<F>.Identity;
            for (int d = 1; d < Size; d++) _entries[Size * w + d] = Projective<F>.Add(_entries[Size * w + d - 1], b);
            b = Projective<F>.Double(_entries[Size * w + Size - 1]); // 32^(w+1)·B = 2·(16·32^w·B)
        }
    }

    public Projective<F> Multiply(in Scalar scalar)
    {
        var k = scalar.ToCanonical();
        var acc = Projective<F>.Identity;
        for (int w = 0; w < Windows; w++)
        {
            ulong digit = SignedWindow.Digit(k, w, out ulong negative);
            var pick = _entries[Size * w];
            for (int d = 1; d < Size; d++)
            {
                ulong diff = digit ^ (ulong)d;
                ulong mask = ((diff | (0 - diff)) >> 63) - 1;
                pick = Projective<F>.Select(pick, _entries[Size * w + d], mask);
            }
            pick = new Projective<F>(pick.X, F.Select(pick.Y, F.Neg(pick.Y), negative), pick.Z);
            acc = Projective<F>.Add(acc, pick);
        }
        return acc;
    }
}

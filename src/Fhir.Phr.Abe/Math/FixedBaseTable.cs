namespace Fhir.Phr.Abe.Math;

/// <summary>
/// Precomputed multiples d·16^w·B (w = 0..63, d = 0..15) of a fixed base B, so that k·B costs 64
/// complete additions and no doublings. Lookups read every entry of a window and keep one by mask,
/// so the cost and memory access pattern do not depend on the secret scalar.
/// </summary>
internal sealed class FixedBaseTable<F> where F : struct, ICurveField<F>
{
    private const int Windows = 64;
    private readonly Projective<F>[] _entries = new Projective<F>[Windows * 16];

    public FixedBaseTable(in Projective<F> basePoint)
    {
        var b = basePoint;
        for (int w = 0; w < Windows; w++)
        {
            _entries[16 * w] = Projective<F>.Identity;
            for (int d = 1; d < 16; d++) _entries[16 * w + d] = Projective<F>.Add(_entries[16 * w + d - 1], b);
            b = Projective<F>.Add(_entries[16 * w + 15], b); // 16^(w+1)·B
        }
    }

    public Projective<F> Multiply(in Scalar scalar)
    {
        var k = scalar.ToCanonical();
        var acc = Projective<F>.Identity;
        for (int w = 0; w < Windows; w++)
        {
            ulong nibble = (ulong)Scalar.Nibble(k, 4 * w);
            var pick = _entries[16 * w];
            for (int d = 1; d < 16; d++)
            {
                ulong diff = nibble ^ (ulong)d;
                ulong mask = ((diff | (0 - diff)) >> 63) - 1;
                pick = Projective<F>.Select(pick, _entries[16 * w + d], mask);
            }
            acc = Projective<F>.Add(acc, pick);
        }
        return acc;
    }
}

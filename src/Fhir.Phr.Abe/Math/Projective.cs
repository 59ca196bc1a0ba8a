using System.Runtime.CompilerServices;

namespace Fhir.Phr.Abe.Math;

/// <summary>
/// A point of y^2 = x^3 + b in homogeneous projective coordinates (x = X/Z, y = Y/Z); the identity is
/// (0 : 1 : 0). Addition and doubling use the complete formulas of Renes, Costello and Batina
/// (eprint 2015/1060, Algorithms 7 and 9 for a = 0): no exceptional cases, hence no branches on
/// secret data and no special handling of the identity or of P + P.
/// </summary>
[SkipLocalsInit]
internal readonly struct Projective<F> where F : struct, ICurveField<F>
{
    public readonly F X, Y, Z;

    public Projective(in F x, in F y, in F z)
    {
        X = x;
        Y = y;
        Z = z;
    }

    public static Projective<F> Identity => new(F.Zero, F.One, F.Zero);

    public static Projective<F> FromAffine(in F x, in F y) => new(x, y, F.One);

    public bool IsIdentity => F.ZeroMask(Z) != 0;

    public static Projective<F> Add(in Projective<F> p, in Projective<F> q)
    {
        var t0 = F.Mul(p.X, q.X);
        var t1 = F.Mul(p.Y, q.Y);
        var t2 = F.Mul(p.Z, q.Z);
        var t3 = F.Mul(F.Add(p.X, p.Y), F.Add(q.X, q.Y));
        var t4 = F.Add(t0, t1);
        t3 = F.Sub(t3, t4);
        t4 = F.Mul(F.Add(p.Y, p.Z), F.Add(q.Y, q.Z));
        var x3 = F.Add(t1, t2);
        t4 = F.Sub(t4, x3);
        x3 = F.Mul(F.Add(p.X, p.Z), F.Add(q.X, q.Z));
        var y3 = F.Add(t0, t2);
        y3 = F.Sub(x3, y3);
        x3 = F.Add(t0, t0);
        t0 = F.Add(x3, t0);
        t2 = F.MulBy3B(t2);
        var z3 = F.Add(t1, t2);
        t1 = F.Sub(t1, t2);
        y3 = F.MulBy3B(y3);
        x3 = F.Mul(t4, y3);
        t2 = F.Mul(t3, t1);
        x3 = F.Sub(t2, x3);
        y3 = F.Mul(y3, t0);
        t1 = F.Mul(t1, z3);
        y3 = F.Add(t1, y3);
        t0 = F.Mul(t0, t3);
        z3 = F.Mul(z3, t4);
        z3 = F.Add(z3, t0);
        return new Projective<F>(x3, y3, z3);
    }

    public static Projective<F> Double(in Projective<F> p)
    {
        var t0 = F.Sqr(p.Y);
        var z3 = F.Add(t0, t0);
        z3 = F.Add(z3, z3);
        z3 = F.Add(z3, z3);
        var t1 = F.Mul(p.Y, p.Z);
        var t2 = F.Sqr(p.Z);
        t2 = F.MulBy3B(t2);
        var x3 = F.Mul(t2, z3);
        var y3 = F.Add(t0, t2);
        z3 = F.Mul(t1, z3);
        t1 = F.Add(t2, t2);
        t2 = F.Add(t1, t2);
        t0 = F.Sub(t0, t2);
        y3 = F.Mul(t0, y3);
        y3 = F.Add(x3, y3);
        t1 = F.Mul(p.X, p.Y);
        x3 = F.Mul(t0, t1);
        x3 = F.Add(x3, x3);
        return new Projective<F>(x3, y3, z3);
    }

    public Projective<F> Negate() => new(X, F.Neg(Y), Z);

    public static Projective<F> Select(in Projective<F> ifZero, in Projective<F> ifOnes, ulong mask) =>
        new(F.Select(ifZero.X, ifOnes.X, mask), F.Select(ifZero.Y, ifOnes.Y, mask), F.Select(ifZero.Z, ifOnes.Z, mask));

    /// <summary>Projective equality: X1·Z2 = X2·Z1 and Y1·Z2 = Y2·Z1 (covers the identity too).</summary>
    public bool EqualsPoint(in Projective<F> q)
    {
        ulong m = F.EqMask(F.Mul(X, q.Z), F.Mul(q.X, Z)) & F.EqMask(F.Mul(Y, q.Z), F.Mul(q.Y, Z));
        // Two identities, or one identity: (0:1:0) vs (0:y:0) compares equal above, while a finite
        // point against the identity gives X1·0 = 0·Z1 only if X1 = 0, so require Z parity as well.
        ulong zp = F.ZeroMask(Z), zq = F.ZeroMask(q.Z);
        return (m & ~(zp ^ zq)) != 0;
    }

    /// <summary>Y^2·Z = X^3 + b·Z^3.</summary>
    public bool IsOnCurve
    {
        get
        {
            var lhs = F.Mul(F.Sqr(Y), Z);
            var z3 = F.Mul(F.Sqr(Z), Z);
            var rhs = F.Add(F.Mul(F.Sqr(X), X), F.Mul(F.CurveB, z3));
            return F.EqMask(lhs, rhs) != 0;
        }
    }

    public (F X, F Y) ToAffine()
    {
        if (IsIdentity) return (F.Zero, F.Zero);
        var zi = F.Inv(Z);
        return (F.Mul(X, zi), F.Mul(Y, zi));
    }

    /// <summary>
    /// Affine coordinates of many points with one field inversion (Montgomery's trick); the
    /// identity maps to (0, 0).
    /// </summary>
    public static (F X, F Y)[] BatchToAffine(ReadOnlySpan<Projective<F>> points)
    {
        var result = new (F X, F Y)[points.Length];
        if (points.Length == 0) return result;
        var prefix = new F[points.Length];
        var acc = F.One;
        for (int i = 0; i < points.Length; i++)
        {
            prefix[i] = acc;
            // An identity's Z is 0; multiply by 1 instead so the chain stays invertible.
            acc = F.Mul(acc, F.Select(points[i].Z, F.One, F.ZeroMask(points[i].Z)));
        }
        var inv = F.Inv(acc);
        for (int i = points.Length - 1; i >= 0; i--)
        {
            var z = F.Select(points[i].Z, F.One, F.ZeroMask(points[i].Z));
            var zInv = F.Mul(inv, prefix[i]);
            inv = F.Mul(inv, z);
            result[i] = points[i].IsIdentity ? (F.Zero, F.Zero) : (F.Mul(points[i].X, zInv), F.Mul(points[i].Y, zInv));
        }
        return result;
    }

    /// <summary>
    /// Constant-time multiplication by a secret scalar: 4-bit fixed windows, every table entry read
    /// for each window and the wanted one kept by mask, so neither branches nor memory addresses
    /// depend on the scalar.
    /// </summary>
    public Projective<F> MultiplyConstantTime(in Scalar scalar) => MultiplyConstantTime([this], [scalar]);

    /// <summary>
    /// Σ k_i·P_i in constant time (Straus: one shared chain of doublings, one masked table read
    /// and one complete addition per point and window). Costs 256 doublings in total instead of
    /// 256 per point.
    /// </summary>
    public static Projective<F> MultiplyConstantTime(ReadOnlySpan<Projective<F>> points, ReadOnlySpan<Scalar> scalars)
    {
        if (points.Length != scalars.Length) throw new ArgumentException("One scalar per point is required.", nameof(scalars));
        int n = points.Length;
        var tables = new Projective<F>[n * 16];
        var k = new Scalar[n];
        for (int i = 0; i < n; i++)
        {
            k[i] = scalars[i].ToCanonical();
            tables[16 * i] = Identity;
            tables[16 * i + 1] = points[i];
            for (int j = 2; j < 16; j++) tables[16 * i + j] = Add(tables[16 * i + j - 1], points[i]);
        }

        var acc = Identity;
        for (int w = 252; w >= 0; w -= 4)
        {
            acc = Double(Double(Double(Double(acc))));
            for (int i = 0; i < n; i++)
            {
                ulong nibble = (ulong)Scalar.Nibble(k[i], w);
                var pick = tables[16 * i];
                for (int j = 1; j < 16; j++)
                {
                    ulong diff = nibble ^ (ulong)j;
                    ulong mask = ((diff | (0 - diff)) >> 63) - 1; // all ones when diff == 0
                    pick = Select(pick, tables[16 * i + j], mask);
                }
                acc = Add(acc, pick);
            }
        }
        return acc;
    }

    /// <summary>Double-and-add for public scalars given as little-endian 64-bit limbs (variable time).</summary>
    public Projective<F> MultiplyVartime(ReadOnlySpan<ulong> scalar)
    {
        var acc = Identity;
        bool started = false;
        for (int i = scalar.Length - 1; i >= 0; i--)
        {
            for (int bit = 63; bit >= 0; bit--)
            {
                if (started) acc = Double(acc);
                if (((scalar[i] >> bit) & 1) == 1)
                {
                    acc = started ? Add(acc, this) : this;
                    started = true;
                }
            }
        }
        return acc;
    }
}

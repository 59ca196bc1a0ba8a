namespace Fhir.Phr.Abe.Math;

/// <summary>
/// Line coefficients of the optimal-ate Miller loop for one fixed G2 point. They depend only on the
/// G2 argument, so a key's G2 points can be prepared once and reused in every pairing
/// (zkcrypto G2Prepared, gnark PrecomputeLines).
/// </summary>
internal sealed class G2Prepared
{
    // |x| for the BLS parameter x = -0xd201000000010000.
    internal const ulong AbsX = 0xd201000000010000;

    internal readonly (Fp2 A, Fp2 B, Fp2 C)[] Coefficients;

    internal readonly bool IsIdentity;

    public G2Prepared(in Projective<Fp2> q)
        : this(q.IsIdentity, q.ToAffine())
    {
    }

    /// <summary>From affine coordinates (see <see cref="Projective{F}.BatchToAffine"/>).</summary>
    public G2Prepared(bool isIdentity, (Fp2 X, Fp2 Y) affine)
    {
        IsIdentity = isIdentity;
        var coeffs = new List<(Fp2, Fp2, Fp2)>(68);
        if (!IsIdentity)
        {
            var (qx, qy) = affine;
            // The running point r uses the Jacobian-style coordinates of Algorithms 26 and 27 in
            // eprint 2010/354 (Aranha et al.), as zkcrypto does; it never leaves this loop.
            var rx = qx;
            var ry = qy;
            var rz = Fp2.One;
            bool started = false;
            for (int b = 63; b >= 0; b--)
            {
                bool bit = (((AbsX >> 1) >> b) & 1) == 1;
                if (!started)
                {
                    started = bit;
                    continue;
                }
                coeffs.Add(DoublingStep(ref rx, ref ry, ref rz));
                if (bit) coeffs.Add(AdditionStep(ref rx, ref ry, ref rz, qx, qy));
            }
            coeffs.Add(DoublingStep(ref rx, ref ry, ref rz));
        }
        Coefficients = [.. coeffs];
    }

    private static (Fp2, Fp2, Fp2) DoublingStep(ref Fp2 rx, ref Fp2 ry, ref Fp2 rz)
    {
        var tmp0 = rx.Square();
        var tmp1 = ry.Square();
        var tmp2 = tmp1.Square();
        var tmp3 = (tmp1 + rx).Square() - tmp0 - tmp2;
        tmp3 += tmp3;
        var tmp4 = tmp0 + tmp0 + tmp0;
        var tmp6 = rx + tmp4;
        var tmp5 = tmp4.Square();
        var zsquared = rz.Square();
        rx = tmp5 - tmp3 - tmp3;
        rz = (rz + ry).Square() - tmp1 - zsquared;
        ry = (tmp3 - rx) * tmp4;
        tmp2 += tmp2;
        tmp2 += tmp2;
        tmp2 += tmp2;
        ry -= tmp2;
        tmp3 = tmp4 * zsquared;
        tmp3 += tmp3;
        tmp3 = -tmp3;
        tmp6 = tmp6.Square() - tmp0 - tmp5;
        tmp1 += tmp1;
        tmp1 += tmp1;
        tmp6 -= tmp1;
        tmp0 = rz * zsquared;
        tmp0 += tmp0;
        return (tmp0, tmp3, tmp6);
    }

    private static (Fp2, Fp2, Fp2) AdditionStep(ref Fp2 rx, ref Fp2 ry, ref Fp2 rz, in Fp2 qx, in Fp2 qy)
    {
        var zsquared = rz.Square();
        var ysquared = qy.Square();
        var t0 = zsquared * qx;
        var t1 = ((qy + rz).Square() - ysquared - zsquared) * zsquared;
        var t2 = t0 - rx;
        var t3 = t2.Square();
        var t4 = t3 + t3;
        t4 += t4;
        var t5 = t4 * t2;
        var t6 = t1 - ry - ry;
        var t9 = t6 * qx;
        var t7 = t4 * rx;
        rx = t6.Square() - t5 - t7 - t7;
        rz = (rz + t2).Square() - zsquared - t3;
        var t10 = qy + rz;
        var t8 = (t7 - rx) * t6;
        t0 = ry * t5;
        t0 += t0;
        ry = t8 - t0;
        t10 = t10.Square() - ysquared;
        var ztsquared = rz.Square();
        t10 -= ztsquared;
        t9 = t9 + t9 - t10;
        t10 = rz + rz;
        t6 = -t6;
        t1 = t6 + t6;
        return (t10, t1, t9);
    }
}

/// <summary>The shared-squaring multi-Miller loop (one f, one squaring chain for all pairs).</summary>
internal static class MillerLoop
{
    public static Fp12 Run(ReadOnlySpan<(Fp X, Fp Y)> g1Affine, ReadOnlySpan<G2Prepared> g2)
    {
        var f = Fp12.One;
        int index = 0;
        bool started = false;
        for (int b = 63; b >= 0; b--)
        {
            bool bit = (((G2Prepared.AbsX >> 1) >> b) & 1) == 1;
            if (!started)
            {
                started = bit;
                continue;
            }
            f = ApplyAll(f, g1Affine, g2, index++);
            if (bit) f = ApplyAll(f, g1Affine, g2, index++);
            f = f.Square();
        }
        f = ApplyAll(f, g1Affine, g2, index);
        // x is negative: f_{x,Q} = 1/f_{|x|,Q} up to a vertical line the final exponentiation removes,
        // and after that exponentiation the inverse of a unitary element is its conjugate.
        return f.Conjugate();
    }

    private static Fp12 ApplyAll(Fp12 f, ReadOnlySpan<(Fp X, Fp Y)> g1, ReadOnlySpan<G2Prepared> g2, int index)
    {
        for (int i = 0; i < g1.Length; i++)
        {
            var (a, b, c) = g2[i].Coefficients[index];
            // Evaluate the line at the G1 point: scale by y_P and x_P (zkcrypto `ell`).
            f = f.MulBy014(c, b * g1[i].X, a * g1[i].Y);
        }
        return f;
    }
}

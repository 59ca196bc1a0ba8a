using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

/// <summary>The optimal ate pairing e: G1 × G2 → GT of BLS12-381.</summary>
public static class Pairing
{
    public static Gt Compute(G1Point p, G2Point q) => Product([(p, q)]);

    /// <summary>Π e(P_i, Q_i) with one shared Miller loop and a single final exponentiation.</summary>
    public static Gt Product(ReadOnlySpan<(G1Point P, G2Point Q)> pairs)
    {
        var g1 = new G1Point[pairs.Length];
        var g2 = new Projective<Fp2>[pairs.Length];
        for (int i = 0; i < pairs.Length; i++)
        {
            g1[i] = pairs[i].P;
            g2[i] = pairs[i].Q.P;
        }
        return Product(g1, Prepare(g2));
    }

    /// <summary>Line coefficients for several G2 points, sharing one inversion for the affine conversion.</summary>
    internal static G2Prepared[] Prepare(ReadOnlySpan<Projective<Fp2>> points)
    {
        var affine = Projective<Fp2>.BatchToAffine(points);
        var prepared = new G2Prepared[points.Length];
        for (int i = 0; i < points.Length; i++) prepared[i] = new G2Prepared(points[i].IsIdentity, affine[i]);
        return prepared;
    }

    internal static Gt Product(ReadOnlySpan<G1Point> p, ReadOnlySpan<G2Prepared> q)
    {
        var projective = new Projective<Fp>[p.Length];
        for (int i = 0; i < p.Length; i++) projective[i] = p[i].P;
        var affine = Projective<Fp>.BatchToAffine(projective);
        var g1 = new (Fp X, Fp Y)[p.Length];
        var g2 = new G2Prepared[p.Length];
        int n = 0;
        for (int i = 0; i < p.Length; i++)
        {
            // e(O, Q) = e(P, O) = 1: such pairs contribute nothing.
            if (p[i].IsIdentity || q[i].IsIdentity) continue;
            g1[n] = affine[i];
            g2[n] = q[i];
            n++;
        }
        return new Gt(MillerLoop.Run(g1.AsSpan(0, n), g2.AsSpan(0, n)).FinalExponentiation());
    }
}

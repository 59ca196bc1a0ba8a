namespace Fhir.Phr.Abe.Math;

/// <summary>
/// The field operations the short-Weierstrass group law needs, so that one implementation of the
/// complete projective formulas serves G1 (over GF(p)) and G2 (over GF(p^2)). Because each field
/// carries exactly one of the two curves, the curve constant lives here as well.
/// </summary>
internal interface ICurveField<T> where T : struct, ICurveField<T>
{
    static abstract T Zero { get; }

    static abstract T One { get; }

    /// <summary>The curve coefficient b of y^2 = x^3 + b (4 for G1, 4(1+u) for G2).</summary>
    static abstract T CurveB { get; }

    static abstract T Add(in T a, in T b);

    static abstract T Sub(in T a, in T b);

    static abstract T Mul(in T a, in T b);

    static abstract T Sqr(in T a);

    static abstract T Neg(in T a);

    /// <summary>Multiplies by 3b, the constant of the Renes–Costello–Batina formulas.</summary>
    static abstract T MulBy3B(in T a);

    static abstract T Inv(in T a);

    static abstract bool Sqrt(in T a, out T root);

    static abstract T Select(in T ifZero, in T ifOnes, ulong mask);

    static abstract ulong EqMask(in T a, in T b);

    static abstract ulong ZeroMask(in T a);
}

using static Fhir.Phr.Abe.Tests.TestVectors;

namespace Fhir.Phr.Abe.Tests;

public sealed class PairingTests
{
    [Fact]
    public void GeneratorPairing_MatchesNobleAndRelic()
    {
        var e = Pairing.Compute(G1Point.Generator, G2Point.Generator);

        var hex = ToHex(e.ToBytes());
        Assert.StartsWith("1250ebd871fc0a92a7b2d83168d0d727272d441befa15c503dd8e90ce98db3e7b6d194f60839c508a84305aaca1789b6", hex);
        Assert.Equal(Json.GetProperty("generator").GetProperty("pairing").GetString(), hex);
    }

    [Fact]
    public void Pairings_MatchNoble()
    {
        foreach (var v in Array("pairings"))
        {
            var p = G1Point.Generator.Multiply(ScalarOf(v.GetProperty("a").GetString()!));
            var q = G2Point.Generator.Multiply(ScalarOf(v.GetProperty("b").GetString()!));

            Assert.Equal(v.GetProperty("gt").GetString(), ToHex(Pairing.Compute(p, q).ToBytes()));
        }
    }

    [Fact]
    public void Pairing_IsBilinearAndNonDegenerate()
    {
        var a = ScalarOf("bilinear-a");
        var b = ScalarOf("bilinear-b");
        var e = Pairing.Compute(G1Point.Generator, G2Point.Generator);

        var lhs = Pairing.Compute(G1Point.Generator.Multiply(a), G2Point.Generator.Multiply(b));

        Assert.Equal(e.Pow(a * b), lhs);
        Assert.False(e.IsIdentity);
        Assert.True(Pairing.Compute(G1Point.Identity, G2Point.Generator).IsIdentity);
        Assert.Equal(e.Inverse(), Pairing.Compute(G1Point.Generator.Negate(), G2Point.Generator));
    }

    [Fact]
    public void GtPow_ByTheGroupOrder_IsIdentity()
    {
        var e = Pairing.Compute(G1Point.Generator, G2Point.Generator);
        var rMinus1 = -Scalar.One;

        // e^(r-1) · e = e^r = 1.
        Assert.True(e.Pow(rMinus1).Multiply(e).IsIdentity);
        Assert.Equal(e, e.Pow(Scalar.One));
        Assert.True(e.Pow(Scalar.Zero).IsIdentity);
    }

    [Fact]
    public void Product_EqualsTheProductOfPairings()
    {
        var p1 = G1Point.Generator.Multiply(ScalarOf("m1"));
        var p2 = G1Point.Generator.Multiply(ScalarOf("m2"));
        var q1 = G2Point.Generator.Multiply(ScalarOf("m3"));
        var q2 = G2Point.Generator;

        var product = Pairing.Product([(p1, q1), (p2, q2), (G1Point.Identity, q2)]);

        Assert.Equal(Pairing.Compute(p1, q1).Multiply(Pairing.Compute(p2, q2)), product);
        Assert.True(Pairing.Product([(p1, q1), (p1.Negate(), q1)]).IsIdentity);
    }
}

public sealed class GtFixedBaseTests
{
    [Fact]
    public void FixedBaseTable_AgreesWithPow()
    {
        var e = Pairing.Compute(G1Point.Generator, G2Point.Generator);
        var table = new Gt.FixedBaseTable(e);

        foreach (var k in new[] { Scalar.Zero, Scalar.One, -Scalar.One, TestVectors.ScalarOf("gt-table") })
        {
            Assert.Equal(e.Pow(k), new Gt(table.Pow(k)));
        }
    }
}

namespace Fhir.Phr.Abe;

/// <summary>
/// BLS signatures in the minimal-public-key-size variant (public key in G1, signature in G2) with the
/// proof-of-possession ciphersuite of draft-irtf-cfrg-bls-signature-05 §4.2.3. Interoperates with blst
/// and @noble/curves' <c>longSignatures</c> given the same DST.
/// </summary>
public static class BlsSignature
{
    public const string Dst = "BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";

    private static readonly byte[] DstBytes = System.Text.Encoding.ASCII.GetBytes(Dst);

    /// <summary>SkToPk: the compressed 48-byte public key sk·G1.</summary>
    public static byte[] PublicKey(Scalar secretKey)
    {
        if (secretKey.IsZero) throw new ArgumentException("The secret key must not be zero.", nameof(secretKey));
        return G1Point.Generator.Multiply(secretKey).ToCompressed();
    }

    /// <summary>The compressed 96-byte signature sk·H(msg).</summary>
    public static byte[] Sign(Scalar secretKey, ReadOnlySpan<byte> message)
    {
        if (secretKey.IsZero) throw new ArgumentException("The secret key must not be zero.", nameof(secretKey));
        return G2Point.HashToCurve(message, DstBytes).Multiply(secretKey).ToCompressed();
    }

    /// <summary>
    /// Checks e(pk, H(msg)) = e(G1, sig) as one two-pair product. Malformed or off-subgroup inputs and
    /// the identity public key (KeyValidate, §2.5) yield false rather than an exception.
    /// </summary>
    public static bool Verify(ReadOnlySpan<byte> publicKey48, ReadOnlySpan<byte> message, ReadOnlySpan<byte> signature96)
    {
        G1Point pk;
        G2Point sig;
        try
        {
            pk = G1Point.FromCompressed(publicKey48);
            sig = G2Point.FromCompressed(signature96);
        }
        catch (FormatException)
        {
            return false;
        }
        if (pk.IsIdentity) return false;
        var h = G2Point.HashToCurve(message, DstBytes);
        return Pairing.Product([(pk, h), (G1Point.Generator.Negate(), sig)]).IsIdentity;
    }
}

using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

/// <summary>
/// FAME ciphertext-policy ABE (Agrawal and Chase, CCS 2017, eprint 2017/807 §3, k = 2, DLIN) on
/// BLS12-381, used as an authenticated key-encapsulation mechanism.
/// </summary>
/// <remarks>
/// <para>FAME itself is CPA-secure. To use it as an authenticated KEM, the GT key K = T1^s1·T2^s2
/// is never exposed: HKDF-SHA256 (salt "FHIR-PHR-FAME-KEM-V1", info SHA-256(header)) turns K into
/// 64 bytes, the first 32 are the caller's key and the last 32 key an HMAC-SHA256 tag over the
/// serialised ABE header (version, policy, ct0 and every row). Any change to the header changes
/// both the derived key and the tag, so decryption of a modified ciphertext fails authentication
/// instead of yielding a related key. Callers encrypt the payload under the returned key with an
/// AEAD and pass the ciphertext bytes as associated data.</para>
/// <para>The random oracle H is RFC 9380 hash_to_curve into G1 with the scheme DST below and an
/// injective, tagged, length-prefixed input: "A" ‖ u32(len) ‖ utf8(attribute) ‖ ℓ ‖ t for
/// attributes and "C" ‖ u32(j) ‖ ℓ ‖ t for MSP columns, so no attribute name can collide with a
/// column hash (the plain concatenation of Charm/rabe/GoFE can).</para>
/// </remarks>
public static class Fame
{
    internal static readonly byte[] HashDst = Encoding.ASCII.GetBytes("FHIR-PHR-FAME-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_");
    private static readonly byte[] KemSalt = Encoding.ASCII.GetBytes("FHIR-PHR-FAME-KEM-V1");

    public const int KeyLength = 32;
    internal const int TagLength = 32;

    private static readonly Lazy<Gt> BasePairing = new(() => Pairing.Compute(G1Point.Generator, G2Point.Generator));

    // Hash points depend only on public names and indices, so they are cached (keygen and encrypt
    // would otherwise spend most of their time in hash_to_curve).
    private static readonly ConcurrentDictionary<(string Attribute, int L, int T), G1Point> AttributeHashes = new();
    private static readonly ConcurrentDictionary<(int J, int L, int T), G1Point> ColumnHashes = new();
    private const int MaxCachedAttributes = 100_000;

    internal static G1Point HashAttribute(string attribute, int l, int t)
    {
        if (AttributeHashes.TryGetValue((attribute, l, t), out var cached)) return cached;
        var name = Encoding.UTF8.GetBytes(attribute);
        var input = new byte[1 + 4 + name.Length + 2];
        input[0] = (byte)'A';
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(1), (uint)name.Length);
        name.CopyTo(input, 5);
        input[^2] = (byte)l;
        input[^1] = (byte)t;
        var point = G1Point.HashToCurve(input, HashDst);
        if (AttributeHashes.Count > MaxCachedAttributes) AttributeHashes.Clear();
        AttributeHashes[(attribute, l, t)] = point;
        return point;
    }

    internal static G1Point HashColumn(int j, int l, int t) => ColumnHashes.GetOrAdd((j, l, t), static key =>
    {
        var input = new byte[1 + 4 + 2];
        input[0] = (byte)'C';
        BinaryPrimitives.WriteUInt32BigEndian(input.AsSpan(1), (uint)key.J);
        input[5] = (byte)key.L;
        input[6] = (byte)key.T;
        return G1Point.HashToCurve(input, HashDst);
    });

    /// <summary>Setup: a1, a2, b1, b2 ←$ Zr*, d1, d2, d3 ←$ Zr; pk = (h^a1, h^a2, e(g,h)^(d1·a1+d3), e(g,h)^(d2·a2+d3)).</summary>
    public static (FamePublicKey PublicKey, FameMasterKey MasterKey) Setup() => Setup(SecureRandom);

    /// <summary>
    /// Every random draw of the scheme goes through one source, named by a label (for example
    /// "keygen/sigma/role:nurse"), so known-answer tests can replay the draws of the @noble/curves
    /// port in tests/Fhir.Phr.Abe.Tests/vectors/fame.mjs. Production code always uses this CSPRNG.
    /// </summary>
    private static Scalar SecureRandom(string label) => Scalar.RandomNonZero();

    internal static (FamePublicKey PublicKey, FameMasterKey MasterKey) Setup(Func<string, Scalar> random)
    {
        var a1 = random("setup/a1");
        var a2 = random("setup/a2");
        var b1 = random("setup/b1");
        var b2 = random("setup/b2");
        var d1 = random("setup/d1");
        var d2 = random("setup/d2");
        var d3 = random("setup/d3");
        if (a1.IsZero || a2.IsZero || b1.IsZero || b2.IsZero) throw new CryptographicException("FAME setup needs non-zero a1, a2, b1, b2.");
        var h = G2Point.Generator;
        var g = G1Point.Generator;
        var e = BasePairing.Value;
        var pk = new FamePublicKey(h.Multiply(a1), h.Multiply(a2), e.Pow(d1 * a1 + d3), e.Pow(d2 * a2 + d3));
        var msk = new FameMasterKey(a1, a2, b1, b2, g.Multiply(d1), g.Multiply(d2), g.Multiply(d3));
        return (pk, msk);
    }

    /// <summary>KeyGen for a set of attributes (duplicates are ignored; names compare ordinally).</summary>
    public static FameUserKey KeyGen(FameMasterKey masterKey, IEnumerable<string> attributes) => KeyGen(masterKey, attributes, SecureRandom);

    internal static FameUserKey KeyGen(FameMasterKey masterKey, IEnumerable<string> attributes, Func<string, Scalar> random)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        ArgumentNullException.ThrowIfNull(attributes);
        var set = new SortedSet<string>(attributes, StringComparer.Ordinal);
        if (set.Any(string.IsNullOrEmpty)) throw new ArgumentException("Attribute names must not be empty.", nameof(attributes));
        // The key format stores names and the count as u16.
        if (set.Count > ushort.MaxValue || set.Any(a => Encoding.UTF8.GetByteCount(a) > ushort.MaxValue))
            throw new ArgumentException("At most 65535 attributes of at most 65535 UTF-8 bytes each.", nameof(attributes));

        var g = G1Point.Generator;
        var h = G2Point.Generator;
        var r1 = random("keygen/r1");
        var r2 = random("keygen/r2");
        Scalar[] br = [masterKey.B1 * r1, masterKey.B2 * r2, r1 + r2];
        var k0 = new[] { h.Multiply(br[0]), h.Multiply(br[1]), h.Multiply(br[2]) };
        Scalar[] aInv = [masterKey.A1.Invert(), masterKey.A2.Invert()];

        var keys = new Dictionary<string, G1Point[]>(StringComparer.Ordinal);
        foreach (var y in set)
        {
            var sigma = random($"keygen/sigma/{y}");
            var k = new G1Point[3];
            for (int t = 0; t < 2; t++)
            {
                // sk_{y,t} = Π_ℓ H(y,ℓ,t)^(Br_ℓ/a_t) · g^(σ_y/a_t), as one four-term constant-time MSM.
                k[t] = G1Point.MultiScalarMultiply(
                    [HashAttribute(y, 1, t + 1), HashAttribute(y, 2, t + 1), HashAttribute(y, 3, t + 1), g],
                    [br[0] * aInv[t], br[1] * aInv[t], br[2] * aInv[t], sigma * aInv[t]]);
            }
            k[2] = g.Multiply(-sigma);
            keys[y] = k;
        }

        var sigmaPrime = random("keygen/sigma-prime");
        var kp = new G1Point[3];
        G1Point[] gd = [masterKey.GD1, masterKey.GD2];
        for (int t = 0; t < 2; t++)
        {
            // sk'_t = g^(d_t) · Π_ℓ H(col 1,ℓ,t)^(Br_ℓ/a_t) · g^(σ'/a_t)
            kp[t] = gd[t].Add(G1Point.MultiScalarMultiply(
                [HashColumn(1, 1, t + 1), HashColumn(1, 2, t + 1), HashColumn(1, 3, t + 1), g],
                [br[0] * aInv[t], br[1] * aInv[t], br[2] * aInv[t], sigmaPrime * aInv[t]]));
        }
        kp[2] = masterKey.GD3.Add(g.Multiply(-sigmaPrime));
        return new FameUserKey(k0, keys, kp);
    }

    /// <summary>Encapsulates a fresh 32-byte key under a policy.</summary>
    /// <exception cref="FamePolicyException">The policy does not parse.</exception>
    public static (byte[] Key, FameCiphertext Ciphertext) Encrypt(FamePublicKey publicKey, string policy) => Encrypt(publicKey, policy, SecureRandom);

    internal static (byte[] Key, FameCiphertext Ciphertext) Encrypt(FamePublicKey publicKey, string policy, Func<string, Scalar> random)
    {
        ArgumentNullException.ThrowIfNull(publicKey);
        var tree = PolicyParser.Parse(policy);
        if (Encoding.UTF8.GetByteCount(policy) > ushort.MaxValue) throw new FamePolicyException("the policy is longer than 65535 UTF-8 bytes", 0);
        var msp = MonotoneSpanProgram.Build(tree);
        var s1 = random("encrypt/s1");
        var s2 = random("encrypt/s2");
        Scalar[] s = [s1, s2];

        var c0 = new[] { publicKey.MultiplyH1(s1), publicKey.MultiplyH2(s2), G2Point.Generator.Multiply(s1 + s2) };
        var rows = new G1Point[msp.Rows.Length][];
        for (int i = 0; i < rows.Length; i++)
        {
            var (attribute, row) = (msp.RowAttributes[i], msp.Rows[i]);
            var tables = publicKey.RowTables(attribute, row, RowBases);
            rows[i] = new G1Point[3];
            if (tables is not null)
            {
                for (int l = 0; l < 3; l++)
                    rows[i][l] = new G1Point(Projective<Fp>.Add(tables[2 * l].Multiply(s1), tables[2 * l + 1].Multiply(s2)));
                continue;
            }
            var bases = RowBases(attribute, row);
            for (int l = 0; l < 3; l++)
                rows[i][l] = G1Point.MultiScalarMultiply(bases.AsSpan(2 * l, 2), s);
        }

        var k = publicKey.PowT(s1, s2);
        var ciphertext = new FameCiphertext(policy, c0, rows, new byte[TagLength]);
        var header = ciphertext.HeaderBytes();
        var (key, macKey) = DeriveKeys(k, header);
        ciphertext.SetTag(HMACSHA256.HashData(macKey, header));
        CryptographicOperations.ZeroMemory(macKey);
        return (key, ciphertext);
    }

    /// <summary>
    /// The bases of a ciphertext row, ct_{i,ℓ} = Π_t [H(π(i),ℓ,t) · Π_j H(col j,ℓ,t)^(M_ij)]^(s_t) with
    /// M_ij ∈ {0, ±1}, in the order (ℓ, t) = (1,1), (1,2), (2,1), … (3,2).
    /// </summary>
    private static G1Point[] RowBases(string attribute, sbyte[] row)
    {
        var bases = new G1Point[6];
        for (int l = 0; l < 3; l++)
        {
            for (int t = 0; t < 2; t++)
            {
                var b = HashAttribute(attribute, l + 1, t + 1);
                for (int j = 0; j < row.Length; j++)
                {
                    if (row[j] == 1) b = b.Add(HashColumn(j + 1, l + 1, t + 1));
                    else if (row[j] == -1) b = b.Subtract(HashColumn(j + 1, l + 1, t + 1));
                }
                bases[2 * l + t] = b;
            }
        }
        return bases;
    }

    /// <summary>Recovers the encapsulated key.</summary>
    /// <exception cref="CryptographicException">The attributes do not satisfy the policy, or the ciphertext fails authentication.</exception>
    public static byte[] Decrypt(FameUserKey userKey, FameCiphertext ciphertext)
    {
        ArgumentNullException.ThrowIfNull(userKey);
        ArgumentNullException.ThrowIfNull(ciphertext);
        var tree = PolicyParser.Parse(ciphertext.Policy);
        var selected = MonotoneSpanProgram.Satisfy(tree, userKey.AttributeSet)
            ?? throw new CryptographicException("The key's attributes do not satisfy the ciphertext policy.");
        var msp = MonotoneSpanProgram.Build(tree);

        // With Lewko–Waters matrices every γ_i is 1: A_ℓ = Σ ct_{i,ℓ}, B_ℓ = sk'_ℓ + Σ sk_{π(i),ℓ}.
        var a = new[] { G1Point.Identity, G1Point.Identity, G1Point.Identity };
        var b = userKey.KPrime.ToArray();
        foreach (int i in selected)
        {
            var sk = userKey.Keys[msp.RowAttributes[i]];
            for (int l = 0; l < 3; l++)
            {
                a[l] = a[l].Add(ciphertext.Rows[i][l]);
                b[l] = b[l].Add(sk[l]);
            }
        }

        // K = Π_ℓ e(B_ℓ, ct0_ℓ) · e(−A_ℓ, sk0_ℓ): one six-pair multi-pairing, sk0's lines cached per key.
        var prepared = userKey.PreparedK0;
        ReadOnlySpan<G1Point> g1 = [b[0], b[1], b[2], a[0].Negate(), a[1].Negate(), a[2].Negate()];
        var c0 = Pairing.Prepare([ciphertext.C0[0].P, ciphertext.C0[1].P, ciphertext.C0[2].P]);
        ReadOnlySpan<G2Prepared> g2 = [c0[0], c0[1], c0[2], prepared[0], prepared[1], prepared[2]];
        var k = Pairing.Product(g1, g2);

        var header = ciphertext.HeaderBytes();
        var (key, macKey) = DeriveKeys(k, header);
        var expected = HMACSHA256.HashData(macKey, header);
        CryptographicOperations.ZeroMemory(macKey);
        if (!CryptographicOperations.FixedTimeEquals(expected, ciphertext.Tag))
        {
            CryptographicOperations.ZeroMemory(key);
            throw new CryptographicException("The ciphertext failed authentication.");
        }
        return key;
    }

    /// <summary>As <see cref="Decrypt"/>, returning false instead of throwing.</summary>
    public static bool TryDecrypt(FameUserKey userKey, FameCiphertext ciphertext, out byte[] key)
    {
        try
        {
            key = Decrypt(userKey, ciphertext);
            return true;
        }
        catch (CryptographicException)
        {
            key = [];
            return false;
        }
    }

    private static (byte[] Key, byte[] MacKey) DeriveKeys(Gt k, byte[] header)
    {
        var ikm = k.ToBytes();
        var okm = HKDF.DeriveKey(HashAlgorithmName.SHA256, ikm, 2 * KeyLength, KemSalt, SHA256.HashData(header));
        CryptographicOperations.ZeroMemory(ikm);
        var key = okm[..KeyLength];
        var mac = okm[KeyLength..];
        CryptographicOperations.ZeroMemory(okm);
        return (key, mac);
    }
}

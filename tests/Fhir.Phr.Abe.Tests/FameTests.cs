using System.Security.Cryptography;

namespace Fhir.Phr.Abe.Tests;

public sealed class FameTests
{
    // One authority for the class: Setup is the expensive part and every test makes its own keys.
    private static readonly Lazy<(FamePublicKey Pk, FameMasterKey Msk)> Authority = new(Fame.Setup);

    private static FamePublicKey Pk => Authority.Value.Pk;

    private static FameMasterKey Msk => Authority.Value.Msk;

    [Theory]
    [InlineData("owner:pat-1 or (grant:pat-1:read and role:physician)", "role:physician,grant:pat-1:read")]
    [InlineData("owner:pat-1 or (grant:pat-1:read and role:physician)", "owner:pat-1")]
    [InlineData("2 of (a, b, c)", "a,c")]
    [InlineData("a and (b or \"c d\")", "a,c d,zzz")]
    [InlineData("a and a", "a")] // attribute re-use: two rows with the same attribute
    [InlineData("(a or b) and (a or c)", "a")]
    [InlineData("3 of (a, b, c, d) and e", "b,c,d,e")]
    public void Decrypt_WithSatisfyingAttributes_RecoversTheKey(string policy, string attributes)
    {
        var user = Fame.KeyGen(Msk, attributes.Split(','));
        var (key, ct) = Fame.Encrypt(Pk, policy);

        var recovered = Fame.Decrypt(user, ct);

        Assert.Equal(32, key.Length);
        Assert.Equal(key, recovered);
    }

    [Theory]
    [InlineData("owner:pat-1 or (grant:pat-1:read and role:physician)", "role:physician")]
    [InlineData("2 of (a, b, c)", "b")]
    [InlineData("a and b", "A,B")]
    public void Decrypt_WithoutSatisfyingAttributes_Fails(string policy, string attributes)
    {
        var user = Fame.KeyGen(Msk, attributes.Split(','));
        var (_, ct) = Fame.Encrypt(Pk, policy);

        var e = Assert.Throws<CryptographicException>(() => Fame.Decrypt(user, ct));

        Assert.Contains("do not satisfy", e.Message, StringComparison.Ordinal);
        Assert.False(Fame.TryDecrypt(user, ct, out _));
    }

    [Fact]
    public void Decrypt_WithTwoUsersKeysCombined_Fails()
    {
        // Each user half-satisfies "a and b"; splicing their per-attribute keys must not work.
        var alice = Fame.KeyGen(Msk, ["a"]);
        var bob = Fame.KeyGen(Msk, ["b"]);
        var (_, ct) = Fame.Encrypt(Pk, "a and b");
        var spliced = new FameUserKey(alice.K0, new Dictionary<string, G1Point[]>(StringComparer.Ordinal) { ["a"] = alice.Keys["a"], ["b"] = bob.Keys["b"] }, alice.KPrime);

        var e = Assert.Throws<CryptographicException>(() => Fame.Decrypt(spliced, ct));

        Assert.Contains("authentication", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Decrypt_WithAnyModifiedPart_FailsAuthentication()
    {
        var user = Fame.KeyGen(Msk, ["a", "b", "c"]);
        var (_, ct) = Fame.Encrypt(Pk, "a and (b or c)");
        var g = G1Point.Generator;
        var h = G2Point.Generator;

        var variants = new List<FameCiphertext>
        {
            new("a and (c or b)", ct.C0, ct.Rows, ct.Tag), // same rows, different policy
            new(ct.Policy, [ct.C0[0].Add(h), ct.C0[1], ct.C0[2]], ct.Rows, ct.Tag),
            new(ct.Policy, [ct.C0[0], ct.C0[1], ct.C0[2].Add(h)], ct.Rows, ct.Tag),
            new(ct.Policy, ct.C0, [[ct.Rows[0][0].Add(g), ct.Rows[0][1], ct.Rows[0][2]], ct.Rows[1], ct.Rows[2]], ct.Tag),
            new(ct.Policy, ct.C0, [ct.Rows[0], ct.Rows[1], [ct.Rows[2][0], ct.Rows[2][1], ct.Rows[2][2].Add(g)]], ct.Tag), // a row decryption does not use
            new(ct.Policy, ct.C0, ct.Rows, [.. ct.Tag[..^1], (byte)(ct.Tag[^1] ^ 1)]),
        };

        Assert.Equal(Fame.Decrypt(user, ct), Fame.Decrypt(user, FameCiphertext.FromBytes(ct.ToBytes())));
        foreach (var variant in variants)
        {
            Assert.Throws<CryptographicException>(() => Fame.Decrypt(user, variant));
        }
    }

    [Fact]
    public void CiphertextBytes_WithAnyFlippedBit_AreRejected()
    {
        var user = Fame.KeyGen(Msk, ["a", "b"]);
        var (_, ct) = Fame.Encrypt(Pk, "a and b");
        var bytes = ct.ToBytes();

        // One bit in each part: magic, version, policy, ct0, row count, every row, tag.
        int[] offsets = [0, 4, 8, 12, 50, 110, 300, 303, 330, 380, 430, 480, bytes.Length - 33, bytes.Length - 1];
        foreach (int offset in offsets)
        {
            var tampered = (byte[])bytes.Clone();
            tampered[offset] ^= 0x04;

            bool rejected;
            try
            {
                rejected = !Fame.TryDecrypt(user, FameCiphertext.FromBytes(tampered), out _);
            }
            catch (FormatException)
            {
                rejected = true;
            }
            Assert.True(rejected, $"bit flip at offset {offset} was accepted");
        }
    }

    [Fact]
    public void Serialisation_RoundTripsEveryObject()
    {
        var user = Fame.KeyGen(Msk, ["x", "y"]);
        var (key, ct) = Fame.Encrypt(Pk, "x and y");

        var pk2 = FamePublicKey.FromBytes(Pk.ToBytes());
        var msk2 = FameMasterKey.FromBytes(Msk.ToBytes());
        var user2 = FameUserKey.FromBytes(user.ToBytes());
        var ct2 = FameCiphertext.FromBytes(ct.ToBytes());

        Assert.Equal(Pk.ToBytes(), pk2.ToBytes());
        Assert.Equal(Msk.ToBytes(), msk2.ToBytes());
        Assert.Equal(user.ToBytes(), user2.ToBytes());
        Assert.Equal(ct.ToBytes(), ct2.ToBytes());
        Assert.Equal(key, Fame.Decrypt(user2, ct2));
        // Keys made from the round-tripped master key work with the round-tripped public key.
        var (key3, ct3) = Fame.Encrypt(pk2, "y");
        Assert.Equal(key3, Fame.Decrypt(Fame.KeyGen(msk2, ["y"]), ct3));
        Assert.Equal(288 + 144 * 2 + 5 + 2 + 7 + 2 + 32, ct.ToBytes().Length);
    }

    [Fact]
    public void Parsers_RejectMalformedInput()
    {
        var user = Fame.KeyGen(Msk, ["x"]);
        var (_, ct) = Fame.Encrypt(Pk, "x");
        var ctBytes = ct.ToBytes();
        var userBytes = user.ToBytes();

        Assert.Throws<FormatException>(() => FameCiphertext.FromBytes(ctBytes.AsSpan(..^1)));
        Assert.Throws<FormatException>(() => FameCiphertext.FromBytes([.. ctBytes, 0]));
        var wrongVersion = (byte[])ctBytes.Clone();
        wrongVersion[4] = 2;
        Assert.Contains("version", Assert.Throws<FormatException>(() => FameCiphertext.FromBytes(wrongVersion)).Message, StringComparison.Ordinal);
        Assert.Contains("magic", Assert.Throws<FormatException>(() => FameUserKey.FromBytes(ctBytes)).Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => FameUserKey.FromBytes(userBytes.AsSpan(..^10)));
        Assert.Throws<FormatException>(() => FamePublicKey.FromBytes(Pk.ToBytes().AsSpan(..100)));
        var badGt = Pk.ToBytes();
        badGt[5 + 192 + 10] ^= 1;
        Assert.Throws<FormatException>(() => FamePublicKey.FromBytes(badGt));
        // A different policy with a different number of rows.
        var rewritten = new FameCiphertext("x and z", ct.C0, ct.Rows, ct.Tag).ToBytes();
        Assert.Contains("rows", Assert.Throws<FormatException>(() => FameCiphertext.FromBytes(rewritten)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AttributeHashes_AreDomainSeparated()
    {
        // With plain concatenation, attribute "01" at (ℓ, t) would collide with column hashes.
        Assert.NotEqual(Fame.HashAttribute("01", 1, 1), Fame.HashColumn(1, 1, 1));
        Assert.NotEqual(Fame.HashAttribute("a", 1, 2), Fame.HashAttribute("a", 2, 1));
        Assert.NotEqual(Fame.HashAttribute("a1", 1, 1), Fame.HashAttribute("a", 1, 1));
        Assert.Equal(Fame.HashAttribute("a", 3, 2), Fame.HashAttribute("a", 3, 2));
    }

    [Theory]
    [InlineData(1)]
    [InlineData(10)]
    [InlineData(100)]
    public void LargePolicies_DecryptWithAllOrOneAttribute(int n)
    {
        var names = Enumerable.Range(0, n).Select(i => $"attr-{n}-{i}").ToArray();
        var user = Fame.KeyGen(Msk, n <= 10 ? names : [names[n / 2]]);
        // AND of all for small n; OR of all for 100 (row count is what costs, not the gate type).
        var policy = n <= 10 ? string.Join(" and ", names) : string.Join(" or ", names);

        var (key, ct) = Fame.Encrypt(Pk, policy);

        Assert.Equal(n, ct.Rows.Length);
        Assert.Equal(key, Fame.Decrypt(user, ct));
    }
}

public sealed class FameKnownAnswerTests
{
    // The draws of vectors/fame.mjs: scalar(label) = SHA-256("fame/" + label) mod r.
    private static Scalar Draw(string label) => TestVectors.ScalarOf("fame/" + label);

    [Fact]
    public void SetupKeyGenAndEncrypt_ReproduceTheNoblePortByteForByte()
    {
        var v = TestVectors.Json.GetProperty("fame");

        var (pk, msk) = Fame.Setup(Draw);

        Assert.Equal(v.GetProperty("publicKey").GetString(), TestVectors.ToHex(pk.ToBytes()));
        Assert.Equal(v.GetProperty("masterKey").GetString(), TestVectors.ToHex(msk.ToBytes()));
        foreach (var c in v.GetProperty("cases").EnumerateArray())
        {
            var attributes = c.GetProperty("attributes").EnumerateArray().Select(a => a.GetString()!).ToArray();
            var policy = c.GetProperty("policy").GetString()!;

            var user = Fame.KeyGen(msk, attributes, Draw);
            var (key, ct) = Fame.Encrypt(pk, policy, Draw);

            Assert.Equal(c.GetProperty("userKey").GetString(), TestVectors.ToHex(user.ToBytes()));
            Assert.Equal(c.GetProperty("ciphertext").GetString(), TestVectors.ToHex(ct.ToBytes()));
            Assert.Equal(c.GetProperty("key").GetString(), TestVectors.ToHex(key));
        }
    }

    [Fact]
    public void Encrypt_WithPrecomputedRows_ReproducesTheNoblePortByteForByte()
    {
        var v = TestVectors.Json.GetProperty("fame");
        var (pk, _) = Fame.Setup(Draw);
        foreach (var c in v.GetProperty("cases").EnumerateArray())
        {
            var policy = c.GetProperty("policy").GetString()!;
            // Every row of the policy takes the fixed-base path (and again from the built tables).
            foreach (var attribute in MonotoneSpanProgram.Build(PolicyParser.Parse(policy)).RowAttributes)
                pk.PrecomputeAttribute(attribute);
            for (int round = 0; round < 2; round++)
            {
                var (key, ct) = Fame.Encrypt(pk, policy, Draw);
                Assert.Equal(c.GetProperty("ciphertext").GetString(), TestVectors.ToHex(ct.ToBytes()));
                Assert.Equal(c.GetProperty("key").GetString(), TestVectors.ToHex(key));
            }
        }
    }

    [Fact]
    public void Decrypt_OfNobleCiphertexts_RecoversTheirKeys()
    {
        var v = TestVectors.Json.GetProperty("fame");
        foreach (var c in v.GetProperty("cases").EnumerateArray())
        {
            var user = FameUserKey.FromBytes(TestVectors.Hex(c.GetProperty("userKey").GetString()!));
            var ct = FameCiphertext.FromBytes(TestVectors.Hex(c.GetProperty("ciphertext").GetString()!));

            Assert.Equal(c.GetProperty("key").GetString(), TestVectors.ToHex(Fame.Decrypt(user, ct)));
        }
    }
}

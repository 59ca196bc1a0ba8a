using System.Collections.Concurrent;
using System.Collections.Frozen;
using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Abe;

// Binary formats: 4 magic bytes, a version byte, then fixed-size fields (G1 48 bytes, G2 96 bytes,
// GT 576 bytes, scalars 32 bytes, all as in the ZCash / @noble/curves encodings) and u16 big-endian
// counts and lengths. Parsers reject wrong lengths, trailing bytes, non-canonical values and points
// outside the prime-order subgroups.

/// <summary>FAME public parameters (H1, H2 ∈ G2; T1, T2 ∈ GT).</summary>
public sealed class FamePublicKey
{
    private static ReadOnlySpan<byte> Magic => "FMPK"u8;
    private const byte Version = 1;

    internal FamePublicKey(G2Point h1, G2Point h2, Gt t1, Gt t2)
    {
        H1 = h1;
        H2 = h2;
        T1 = t1;
        T2 = t2;
    }

    internal G2Point H1 { get; }

    internal G2Point H2 { get; }

    internal Gt T1 { get; }

    internal Gt T2 { get; }

    // Encryption raises these four fixed bases to fresh secret exponents every time; tables trade
    // about 1.8 MB per public key for no doublings or squarings (built on first use).
    private FixedBaseTable<Fp2>? _h1Table, _h2Table;
    private Gt.FixedBaseTable? _t1Table, _t2Table;

    internal G2Point MultiplyH1(Scalar k) => new((_h1Table ??= new FixedBaseTable<Fp2>(H1.P)).Multiply(k));

    internal G2Point MultiplyH2(Scalar k) => new((_h2Table ??= new FixedBaseTable<Fp2>(H2.P)).Multiply(k));

    /// <summary>T1^s1 · T2^s2.</summary>
    internal Gt PowT(Scalar s1, Scalar s2) =>
        new((_t1Table ??= new Gt.FixedBaseTable(T1)).Pow(s1) * (_t2Table ??= new Gt.FixedBaseTable(T2)).Pow(s2));

    // Attributes named in most policies (a server's own role) and the tables of their rows' bases:
    // a row of such an attribute then costs six fixed-base multiplications (52 additions each)
    // instead of three two-scalar multiplications with their doublings. About 0.75 MB per
    // (attribute, row shape); rows are keyed by their MSP vector, and their number is bounded.
    private readonly ConcurrentDictionary<string, bool> _frequent = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<(string Attribute, string Row), FixedBaseTable<Fp>[]> _rowTables = new();
    private const int MaxRowTables = 32;

    /// <summary>
    /// Declares an attribute that most encryptions under this key name, so that encryption keeps
    /// precomputed tables for its policy rows (built on first use). Ciphertexts are unchanged.
    /// </summary>
    public void PrecomputeAttribute(string attribute)
    {
        ArgumentException.ThrowIfNullOrEmpty(attribute);
        _frequent[attribute] = true;
    }

    /// <summary>The six tables of a row's bases (ℓ = 1..3, t = 1..2), or null when the attribute was not declared frequent.</summary>
    internal FixedBaseTable<Fp>[]? RowTables(string attribute, sbyte[] row, Func<string, sbyte[], G1Point[]> bases)
    {
        if (!_frequent.ContainsKey(attribute)) return null;
        var key = (attribute, string.Join(',', row));
        if (_rowTables.TryGetValue(key, out var tables)) return tables;
        if (_rowTables.Count >= MaxRowTables) return null;
        return _rowTables.GetOrAdd(key, _ => Array.ConvertAll(bases(attribute, row), b => new FixedBaseTable<Fp>(b.P)));
    }

    public byte[] ToBytes()
    {
        var w = new ByteWriter();
        w.Bytes(Magic);
        w.U8(Version);
        w.Bytes(H1.ToCompressed());
        w.Bytes(H2.ToCompressed());
        w.Bytes(T1.ToBytes());
        w.Bytes(T2.ToBytes());
        return w.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a valid FAME public key.</exception>
    public static FamePublicKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes, "FAME public key");
        r.Header(Magic, Version);
        var h1 = r.G2("H1");
        var h2 = r.G2("H2");
        var t1 = Gt.FromBytes(r.Bytes(Gt.ByteLength, "T1"));
        var t2 = Gt.FromBytes(r.Bytes(Gt.ByteLength, "T2"));
        r.End();
        if (h1.IsIdentity || h2.IsIdentity) throw new FormatException("FAME public key: H1 and H2 must not be the identity.");
        return new FamePublicKey(h1, h2, t1, t2);
    }
}

/// <summary>FAME master secret key (a1, a2, b1, b2, g^d1, g^d2, g^d3).</summary>
public sealed class FameMasterKey
{
    private static ReadOnlySpan<byte> Magic => "FMSK"u8;
    private const byte Version = 1;

    internal FameMasterKey(Scalar a1, Scalar a2, Scalar b1, Scalar b2, G1Point gd1, G1Point gd2, G1Point gd3)
    {
        A1 = a1;
        A2 = a2;
        B1 = b1;
        B2 = b2;
        GD1 = gd1;
        GD2 = gd2;
        GD3 = gd3;
    }

    internal Scalar A1 { get; }

    internal Scalar A2 { get; }

    internal Scalar B1 { get; }

    internal Scalar B2 { get; }

    internal G1Point GD1 { get; }

    internal G1Point GD2 { get; }

    internal G1Point GD3 { get; }

    public byte[] ToBytes()
    {
        var w = new ByteWriter();
        w.Bytes(Magic);
        w.U8(Version);
        foreach (var s in new[] { A1, A2, B1, B2 }) w.Bytes(s.ToBigEndian());
        foreach (var p in new[] { GD1, GD2, GD3 }) w.Bytes(p.ToCompressed());
        return w.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a valid FAME master key.</exception>
    public static FameMasterKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes, "FAME master key");
        r.Header(Magic, Version);
        var a1 = r.Scalar("a1");
        var a2 = r.Scalar("a2");
        var b1 = r.Scalar("b1");
        var b2 = r.Scalar("b2");
        var gd1 = r.G1("g^d1");
        var gd2 = r.G1("g^d2");
        var gd3 = r.G1("g^d3");
        r.End();
        if (a1.IsZero || a2.IsZero || b1.IsZero || b2.IsZero) throw new FormatException("FAME master key: a1, a2, b1 and b2 must be non-zero.");
        return new FameMasterKey(a1, a2, b1, b2, gd1, gd2, gd3);
    }
}

/// <summary>A FAME user key for a set of attributes.</summary>
public sealed class FameUserKey
{
    private static ReadOnlySpan<byte> Magic => "FMUK"u8;
    private const byte Version = 1;

    private G2Prepared[]? _preparedK0;

    internal FameUserKey(G2Point[] k0, Dictionary<string, G1Point[]> keys, G1Point[] kPrime)
    {
        K0 = k0;
        Keys = keys;
        KPrime = kPrime;
        AttributeSet = keys.Keys.ToFrozenSet(StringComparer.Ordinal);
    }

    public IReadOnlyCollection<string> Attributes => AttributeSet;

    internal IReadOnlySet<string> AttributeSet { get; }

    internal G2Point[] K0 { get; }

    internal Dictionary<string, G1Point[]> Keys { get; }

    internal G1Point[] KPrime { get; }

    /// <summary>Miller-loop lines of sk0, computed once per key and reused by every decryption.</summary>
    internal G2Prepared[] PreparedK0 => _preparedK0 ??= Pairing.Prepare([K0[0].P, K0[1].P, K0[2].P]);

    public byte[] ToBytes()
    {
        var w = new ByteWriter();
        w.Bytes(Magic);
        w.U8(Version);
        foreach (var p in K0) w.Bytes(p.ToCompressed());
        foreach (var p in KPrime) w.Bytes(p.ToCompressed());
        w.U16(Keys.Count);
        foreach (var (name, k) in Keys.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.Utf8(name);
            foreach (var p in k) w.Bytes(p.ToCompressed());
        }
        return w.ToArray();
    }

    /// <exception cref="FormatException">The bytes are not a valid FAME user key.</exception>
    public static FameUserKey FromBytes(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes, "FAME user key");
        r.Header(Magic, Version);
        var k0 = new[] { r.G2("sk0[1]"), r.G2("sk0[2]"), r.G2("sk0[3]") };
        var kp = new[] { r.G1("sk'[1]"), r.G1("sk'[2]"), r.G1("sk'[3]") };
        int count = r.U16("attribute count");
        var keys = new Dictionary<string, G1Point[]>(StringComparer.Ordinal);
        for (int i = 0; i < count; i++)
        {
            var name = r.Utf8("attribute name");
            if (name.Length == 0) throw new FormatException("FAME user key: empty attribute name.");
            var k = new[] { r.G1($"sk[{name}][1]"), r.G1($"sk[{name}][2]"), r.G1($"sk[{name}][3]") };
            if (!keys.TryAdd(name, k)) throw new FormatException($"FAME user key: duplicate attribute '{name}'.");
        }
        r.End();
        return new FameUserKey(k0, keys, kp);
    }
}

/// <summary>A FAME KEM ciphertext: the policy, ct0 ∈ G2³, one G1³ row per MSP row, and the authentication tag.</summary>
public sealed class FameCiphertext
{
    private static ReadOnlySpan<byte> Magic => "FMCT"u8;
    private const byte Version = 1;

    internal FameCiphertext(string policy, G2Point[] c0, G1Point[][] rows, byte[] tag)
    {
        Policy = policy;
        C0 = c0;
        Rows = rows;
        Tag = tag;
    }

    public string Policy { get; }

    internal G2Point[] C0 { get; }

    internal G1Point[][] Rows { get; }

    internal byte[] Tag { get; private set; }

    internal void SetTag(byte[] tag) => Tag = tag;

    private byte[]? _header;

    /// <summary>Everything but the tag: the associated data of the KEM (computed once; the object is immutable).</summary>
    internal byte[] HeaderBytes() => _header ??= BuildHeader();

    private byte[] BuildHeader()
    {
        var w = new ByteWriter();
        w.Bytes(Magic);
        w.U8(Version);
        w.Utf8(Policy);
        foreach (var p in C0) w.Bytes(p.ToCompressed());
        w.U16(Rows.Length);
        w.Bytes(G1Point.ToCompressedBatch([.. Rows.SelectMany(r => r)]));
        return w.ToArray();
    }

    public byte[] ToBytes() => [.. HeaderBytes(), .. Tag];

    /// <exception cref="FormatException">The bytes are not a valid FAME ciphertext (including an unparsable policy or a row count that does not match it).</exception>
    public static FameCiphertext FromBytes(ReadOnlySpan<byte> bytes)
    {
        var r = new ByteReader(bytes, "FAME ciphertext");
        r.Header(Magic, Version);
        var policy = r.Utf8("policy");
        int expectedRows = PolicyParser.Parse(policy).LeafCount;
        var c0 = new[] { r.G2("ct0[1]"), r.G2("ct0[2]"), r.G2("ct0[3]") };
        int count = r.U16("row count");
        if (count != expectedRows) throw new FormatException($"FAME ciphertext: {count} rows but the policy has {expectedRows}.");
        var rows = new G1Point[count][];
        for (int i = 0; i < count; i++) rows[i] = [r.G1($"ct[{i}][1]"), r.G1($"ct[{i}][2]"), r.G1($"ct[{i}][3]")];
        int headerLength = r.Position;
        var tag = r.Bytes(Fame.TagLength, "tag").ToArray();
        r.End();
        // Keep the exact bytes that were authenticated rather than re-encoding the points.
        return new FameCiphertext(policy, c0, rows, tag) { _header = bytes[..headerLength].ToArray() };
    }
}

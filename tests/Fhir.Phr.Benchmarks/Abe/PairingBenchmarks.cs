using BenchmarkDotNet.Attributes;
using Fhir.Phr.Abe;
using Fhir.Phr.Abe.Math;

namespace Fhir.Phr.Benchmarks.Abe;

/// <summary>Field, group, pairing and hashing costs of the BLS12-381 code.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class PairingBenchmarks
{
    private Fp _a, _b;
    private Scalar _k;
    private G1Point _p = null!;
    private G2Point _q = null!;
    private (G1Point, G2Point)[] _six = null!;
    private byte[] _pk = null!, _sig = null!;
    private readonly byte[] _msg = "benchmark message"u8.ToArray();
    private readonly byte[] _dst = "FHIR-PHR-BENCH-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"u8.ToArray();

    [GlobalSetup]
    public void Setup()
    {
        _a = Fp.FromUInt64(123456789) * Fp.FromUInt64(987654321);
        _b = _a.Square();
        _k = Scalar.Random();
        _p = G1Point.Generator.Multiply(Scalar.Random());
        _q = G2Point.Generator.Multiply(Scalar.Random());
        _six = [.. Enumerable.Range(0, 6).Select(_ => (G1Point.Generator.Multiply(Scalar.Random()), G2Point.Generator.Multiply(Scalar.Random())))];
        var sk = Scalar.Random();
        _pk = BlsSignature.PublicKey(sk);
        _sig = BlsSignature.Sign(sk, _msg);
    }

    [Benchmark]
    public ulong FpMultiply() => (_a * _b).L0;

    [Benchmark]
    public ulong FpSquare() => _a.Square().L0;

    [Benchmark]
    public G1Point G1Multiply() => _p.Multiply(_k);

    [Benchmark]
    public G2Point G2Multiply() => _q.Multiply(_k);

    [Benchmark]
    public G1Point G1Decompress() => G1Point.FromCompressed(_pk);

    [Benchmark]
    public G2Point G2Decompress() => G2Point.FromCompressed(_sig);

    [Benchmark]
    public Gt Pairing1() => Pairing.Compute(_p, _q);

    [Benchmark]
    public Gt MultiPairing6() => Pairing.Product(_six);

    [Benchmark]
    public G1Point HashToG1() => G1Point.HashToCurve(_msg, _dst);

    [Benchmark]
    public G2Point HashToG2() => G2Point.HashToCurve(_msg, _dst);

    [Benchmark]
    public bool BlsVerify() => BlsSignature.Verify(_pk, _msg, _sig);
}

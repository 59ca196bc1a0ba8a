using BenchmarkDotNet.Attributes;
using Fhir.Phr.Abe;

namespace Fhir.Phr.Benchmarks.Abe;

/// <summary>FAME KEM operations for policies (an AND of N attributes) and key sets of N attributes.</summary>
[MemoryDiagnoser]
[ShortRunJob]
public class FameBenchmarks
{
    private FamePublicKey _pk = null!;
    private FameMasterKey _msk = null!;
    private string[] _attributes = null!;
    private string _policy = null!;
    private FameUserKey _user = null!;
    private FameCiphertext _ct = null!;

    [Params(1, 10, 100)]
    public int Attributes { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        (_pk, _msk) = Fame.Setup();
        _attributes = [.. Enumerable.Range(0, Attributes).Select(i => $"role:attribute-{i}")];
        _policy = string.Join(" and ", _attributes);
        _user = Fame.KeyGen(_msk, _attributes);
        (_, _ct) = Fame.Encrypt(_pk, _policy);
        _ = Fame.Decrypt(_user, _ct); // warms the per-key line cache, as a long-lived key would be
    }

    [Benchmark]
    public FamePublicKey Setup_() => Fame.Setup().PublicKey;

    [Benchmark]
    public FameUserKey KeyGen() => Fame.KeyGen(_msk, _attributes);

    [Benchmark]
    public FameCiphertext Encrypt() => Fame.Encrypt(_pk, _policy).Ciphertext;

    [Benchmark]
    public byte[] Decrypt() => Fame.Decrypt(_user, _ct);

    [Benchmark]
    public FameCiphertext ParseCiphertext() => FameCiphertext.FromBytes(_ct.ToBytes());
}

namespace Fhir.Phr.Protection;

/// <summary>Where the server master key lives. Bound from the <c>Phr:Protection</c> section.</summary>
public sealed record ProtectionOptions
{
    /// <summary>Path of the 32-byte master key file; created (mode 0600) on first start when missing.</summary>
    public string MasterKeyFile { get; set; } = "";

    /// <summary>Path of the CP-ABE authority file (FAME master key, wrapped under the master key); created on first start when missing.</summary>
    public string AuthorityKeyFile { get; set; } = "";

    /// <summary>Benchmark-only switch that stores payloads unencrypted, to measure what protection costs.</summary>
    public bool DisabledForBenchmarks { get; set; }
}

using Fhir.Phr.Core.Storage;

namespace Fhir.Phr.Core.Search;

/// <summary>
/// A plaintext search value extracted from a resource. It is blinded or stored as is by
/// <see cref="IndexProtection"/>, and matched in memory where SQL cannot decide.
/// </summary>
public sealed record IndexValue(string Param, IndexKind Kind)
{
    public string? Text { get; init; }

    public string? System { get; init; }

    public string? Code { get; init; }

    public DateTime? Low { get; init; }

    public DateTime? High { get; init; }

    public decimal? Number { get; init; }

    public string? RefType { get; init; }

    public string? RefId { get; init; }

    /// <summary>Only the whole value is ever matched (e.g. a phonetic key), so no prefix rows are needed.</summary>
    public bool WholeValue { get; init; }

    /// <summary>The value identifies a person (HumanName, Address, ContactPoint, Identifier, birth date).</summary>
    public bool Identifying { get; init; }
}

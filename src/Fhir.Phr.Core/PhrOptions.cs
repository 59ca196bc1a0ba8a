namespace Fhir.Phr.Core;

public enum DatabaseProvider
{
    Sqlite,
    PostgreSql,
}

/// <summary>Server settings, bound from the <c>Phr</c> configuration section (env <c>Phr__...</c>).</summary>
public sealed class PhrOptions
{
    public const string Section = "Phr";

    /// <summary>Folder for the SQLite database, the master key and job storage; created on first start.</summary>
    public string DataDirectory { get; set; } = "data";

    public DatabaseProvider Database { get; set; } = DatabaseProvider.Sqlite;

    /// <summary>Connection string; for SQLite it defaults to <c>phr.db</c> in the data directory.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>Folder of PHR StructureDefinitions, SearchParameters and ValueSets; defaults to profiles/ next to the binaries.</summary>
    public string? ProfilesDirectory { get; set; }

    /// <summary>Largest accepted request body, in bytes (413 above it).</summary>
    public long MaxRequestBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Largest STOW-RS request (DICOM studies are larger than FHIR bodies); each instance is held in memory while stored.</summary>
    public long MaxDicomRequestBytes { get; set; } = 256 * 1024 * 1024;

    /// <summary>Master key location and the benchmark-only switch (<c>Phr:Protection</c>).</summary>
    public Fhir.Phr.Protection.ProtectionOptions Protection { get; set; } = new();

    /// <summary>How uploaded files are read (<c>Phr:Import</c>), e.g. OCR of scans.</summary>
    public Ingest.ImportOptions Import { get; set; } = new();

    /// <summary>Folder of FHIR JSON files/bundles loaded at start-up (the README's --seed).</summary>
    public string? Seed { get; set; }

    public string ResolveProfilesDirectory() =>
        ProfilesDirectory ?? Path.Combine(AppContext.BaseDirectory, "profiles");

    public string ResolveConnectionString() => ConnectionString ?? Database switch
    {
        DatabaseProvider.Sqlite => $"Data Source={Path.Combine(Path.GetFullPath(DataDirectory), "phr.db")}",
        _ => throw new InvalidOperationException("Phr:ConnectionString is required for PostgreSQL."),
    };
}

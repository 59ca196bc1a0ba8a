using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;

namespace Fhir.Phr.Core.Storage;

/// <summary>
/// The store. Each provider has its own subclass only so that each keeps its own migrations
/// (EF Core's documented pattern for one model on several providers).
/// </summary>
public abstract class PhrDbContext(DbContextOptions options) : DbContext(options)
{
    public DbSet<ResourceVersion> Resources => Set<ResourceVersion>();

    public DbSet<SearchIndexEntry> SearchIndex => Set<SearchIndexEntry>();

    public DbSet<Ingest.IngestJob> IngestJobs => Set<Ingest.IngestJob>();

    public DbSet<Ingest.IngestFile> IngestFiles => Set<Ingest.IngestFile>();

    public DbSet<Ingest.IngestReviewItem> IngestReviewItems => Set<Ingest.IngestReviewItem>();

    public DbSet<Access.AccessGrant> AccessGrants => Set<Access.AccessGrant>();

    public DbSet<Keys.RecordEnvelope> RecordEnvelopes => Set<Keys.RecordEnvelope>();

    public DbSet<Keys.RecordEpoch> RecordEpochs => Set<Keys.RecordEpoch>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        var resource = modelBuilder.Entity<ResourceVersion>();
        resource.ToTable("resource_versions");
        resource.Property(r => r.ResourceType).HasMaxLength(64);
        resource.Property(r => r.ResourceId).HasMaxLength(64);
        resource.Property(r => r.Method).HasMaxLength(8);
        resource.HasIndex(r => new { r.ResourceType, r.ResourceId, r.Version }).IsUnique();
        // Covering for search: the type, snapshot and deletion filters of every search read this index
        // alone, without visiting the rows (and their payloads). SQLite keys every index by the row id;
        // PostgreSQL needs the id included for an index-only scan.
        var current = resource.HasIndex(r => new { r.ResourceType, r.SupersededAt, r.LastUpdated, r.IsDeleted });
        if (Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL")
            current.IncludeProperties(r => r.Id);
        resource.HasIndex(r => r.LastUpdated);
        resource.Property(r => r.Owner).HasMaxLength(64);
        resource.HasIndex(r => new { r.Owner, r.ResourceType });
        resource.HasMany(r => r.Index).WithOne(i => i.ResourceVersion).HasForeignKey(i => i.ResourceVersionId).OnDelete(DeleteBehavior.Cascade);

        var ingest = modelBuilder.Entity<Ingest.IngestJob>();
        ingest.ToTable("ingest_jobs");
        ingest.Property(j => j.Source).HasMaxLength(128);

        var file = modelBuilder.Entity<Ingest.IngestFile>();
        file.ToTable("ingest_files");
        file.HasKey(f => new { f.JobId, f.Index });
        file.Property(f => f.BinaryId).HasMaxLength(64);
        file.Property(f => f.ContentType).HasMaxLength(128);
        file.Property(f => f.FileName).HasMaxLength(256);

        var review = modelBuilder.Entity<Ingest.IngestReviewItem>();
        review.ToTable("ingest_review_items");
        review.Property(r => r.Position).HasMaxLength(512);
        review.Property(r => r.HeldBinaryId).HasMaxLength(64);
        review.Property(r => r.DecidedBy).HasMaxLength(128);
        review.Property(r => r.Reason).HasMaxLength(1024);
        review.Property(r => r.PatientId).HasMaxLength(64);
        // Candidates are ids and scores only (no PHI), read and written with their row: one JSON text column on both providers.
        review.Property(r => r.Candidates).HasConversion(
            candidates => JsonSerializer.Serialize(candidates, JsonSerializerOptions.Web),
            json => JsonSerializer.Deserialize<List<Ingest.ReviewCandidate>>(json, JsonSerializerOptions.Web) ?? new List<Ingest.ReviewCandidate>(),
            new ValueComparer<List<Ingest.ReviewCandidate>>((a, b) => a!.SequenceEqual(b!), c => c.Aggregate(0, (h, x) => HashCode.Combine(h, x)), c => c.ToList()));
        review.HasIndex(r => new { r.Status, r.CreatedAt });
        review.HasIndex(r => r.JobId);

        var grant = modelBuilder.Entity<Access.AccessGrant>();
        grant.ToTable("access_grants");
        grant.Property(g => g.PatientId).HasMaxLength(64);
        grant.Property(g => g.Grantee).HasMaxLength(128);
        grant.Property(g => g.GrantedBy).HasMaxLength(128);
        grant.Property(g => g.Reason).HasMaxLength(1024);
        grant.HasIndex(g => new { g.Grantee, g.RevokedAt });
        grant.HasIndex(g => new { g.PatientId, g.RevokedAt });

        var envelope = modelBuilder.Entity<Keys.RecordEnvelope>();
        envelope.ToTable("record_envelopes");
        envelope.Property(e => e.Owner).HasMaxLength(64);
        envelope.HasIndex(e => new { e.Owner, e.CreatedEpoch }).IsUnique();

        var epoch = modelBuilder.Entity<Keys.RecordEpoch>();
        epoch.ToTable("record_epochs");
        epoch.HasKey(e => e.PatientId);
        epoch.Property(e => e.PatientId).HasMaxLength(64);

        var index = modelBuilder.Entity<SearchIndexEntry>();
        index.ToTable("search_index");
        index.Property(i => i.Param).HasMaxLength(128);
        // Partial indexes: a row fills the columns of one kind only, so each row enters two or
        // three indexes instead of five (writes of blind prefix rows were index-bound). Each ends
        // with the row's version id, so a criterion yields its matching versions from the index
        // alone (a name search over 1,000 patients: 4 ms with a row lookup per match, 1 ms without).
        index.HasIndex(i => new { i.Param, i.Text, i.ResourceVersionId }).HasFilter("\"Text\" IS NOT NULL");
        index.HasIndex(i => new { i.Param, i.Code, i.System, i.ResourceVersionId }).HasFilter("\"Code\" IS NOT NULL");
        index.HasIndex(i => new { i.Param, i.RefId, i.RefType, i.ResourceVersionId }).HasFilter("\"RefId\" IS NOT NULL");
        index.HasIndex(i => new { i.Param, i.Low, i.High, i.ResourceVersionId }).HasFilter("\"Low\" IS NOT NULL");
        index.HasIndex(i => i.ResourceVersionId);
        if (Database.ProviderName == "Npgsql.EntityFrameworkCore.PostgreSQL")
        {
            // PostgreSQL's numeric keeps FHIR decimals exactly; SQLite stores TEXT and compares with a converter below.
            index.Property(i => i.Number).HasColumnType("numeric");
        }
        else
        {
            // SQLite has no decimal: store as double so that range comparisons run in SQL.
            index.Property(i => i.Number).HasConversion<double?>();
        }
    }
}

public sealed class SqlitePhrDbContext(DbContextOptions<SqlitePhrDbContext> options) : PhrDbContext(options);

public sealed class PostgresPhrDbContext(DbContextOptions<PostgresPhrDbContext> options) : PhrDbContext(options);

/// <summary>Design-time factories for <c>dotnet ef migrations add</c>; the server configures the real ones.</summary>
public sealed class SqliteDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SqlitePhrDbContext>
{
    public SqlitePhrDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqlitePhrDbContext>().UseSqlite("Data Source=design.db").Options);
}

public sealed class PostgresDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<PostgresPhrDbContext>
{
    public PostgresPhrDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresPhrDbContext>().UseNpgsql("Host=localhost;Database=design").Options);
}

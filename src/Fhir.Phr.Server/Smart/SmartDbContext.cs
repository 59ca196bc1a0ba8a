using Fhir.Phr.Server.Accounts;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Identity.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore;
using OpenIddict.EntityFrameworkCore.Models;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// Accounts (ASP.NET Core Identity) and OAuth state (OpenIddict's applications, authorizations,
/// scopes and tokens) plus our SMART launch contexts and spent client-assertion ids. It lives in
/// the same database as the FHIR store but keeps its own migrations and history table
/// (<see cref="MigrationsHistoryTable"/>), so Core's schema and ours evolve separately. As in
/// Core, each provider has a subclass only to keep its own migrations.
/// </summary>
internal abstract class SmartDbContext(DbContextOptions options) : IdentityDbContext<PhrUser, IdentityRole, string>(options)
{
    public const string MigrationsHistoryTable = "__smart_migrations";

    public DbSet<SmartLaunch> Launches => Set<SmartLaunch>();

    public DbSet<SpentAssertion> SpentAssertions => Set<SpentAssertion>();

    protected override void OnModelCreating(ModelBuilder builder)
    {
        base.OnModelCreating(builder);
        builder.UseOpenIddict();

        // Names in Core's style, so that one database reads as one schema.
        builder.Entity<PhrUser>().ToTable("account_users");
        builder.Entity<PhrUser>().Property(u => u.FhirUser).HasMaxLength(128);
        builder.Entity<PhrUser>().HasIndex(u => u.FhirUser).IsUnique();
        builder.Entity<IdentityRole>().ToTable("account_roles");
        builder.Entity<IdentityUserRole<string>>().ToTable("account_user_roles");
        builder.Entity<IdentityUserClaim<string>>().ToTable("account_user_claims");
        builder.Entity<IdentityUserLogin<string>>().ToTable("account_user_logins");
        builder.Entity<IdentityUserToken<string>>().ToTable("account_user_tokens");
        builder.Entity<IdentityRoleClaim<string>>().ToTable("account_role_claims");

        builder.Entity<OpenIddictEntityFrameworkCoreApplication>().ToTable("oauth_applications");
        builder.Entity<OpenIddictEntityFrameworkCoreAuthorization>().ToTable("oauth_authorizations");
        builder.Entity<OpenIddictEntityFrameworkCoreScope>().ToTable("oauth_scopes");
        builder.Entity<OpenIddictEntityFrameworkCoreToken>().ToTable("oauth_tokens");

        var launch = builder.Entity<SmartLaunch>();
        launch.ToTable("smart_launches");
        launch.Property(l => l.Id).HasMaxLength(64);
        launch.Property(l => l.PatientId).HasMaxLength(64);
        launch.Property(l => l.CreatedBy).HasMaxLength(128);
        launch.HasIndex(l => l.ExpiresAt);

        var spent = builder.Entity<SpentAssertion>();
        spent.ToTable("oauth_spent_assertions");
        spent.HasKey(a => new { a.ClientId, a.TokenId });
        spent.Property(a => a.ClientId).HasMaxLength(100);
        spent.Property(a => a.TokenId).HasMaxLength(256);
        spent.HasIndex(a => a.ExpiresAt);
    }
}

internal sealed class SqliteSmartDbContext(DbContextOptions<SqliteSmartDbContext> options) : SmartDbContext(options);

internal sealed class PostgresSmartDbContext(DbContextOptions<PostgresSmartDbContext> options) : SmartDbContext(options);

/// <summary>
/// An EHR launch context (SMART app-launch.html#launch-app-ehr-launch): the opaque <c>launch</c>
/// value our API mints for a patient, redeemed at the authorize endpoint until it expires.
/// </summary>
internal sealed class SmartLaunch
{
    public required string Id { get; set; }

    public required string PatientId { get; set; }

    /// <summary>The token subject that minted it.</summary>
    public required string CreatedBy { get; set; }

    public DateTime CreatedAt { get; set; }

    public DateTime ExpiresAt { get; set; }
}

/// <summary>
/// A client assertion's <c>jti</c> that was used once (backend-services.html: "the jti value
/// ... SHALL NOT be reused"); kept until the assertion would have expired anyway.
/// </summary>
internal sealed class SpentAssertion
{
    public required string ClientId { get; set; }

    public required string TokenId { get; set; }

    public DateTime ExpiresAt { get; set; }
}

/// <summary>Design-time factories for <c>dotnet ef migrations add</c>; the server configures the real ones.</summary>
internal sealed class SqliteSmartDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<SqliteSmartDbContext>
{
    public SqliteSmartDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<SqliteSmartDbContext>()
            .UseSqlite("Data Source=design.db", sqlite => sqlite.MigrationsHistoryTable(SmartDbContext.MigrationsHistoryTable)).Options);
}

internal sealed class PostgresSmartDesignTimeFactory : Microsoft.EntityFrameworkCore.Design.IDesignTimeDbContextFactory<PostgresSmartDbContext>
{
    public PostgresSmartDbContext CreateDbContext(string[] args) =>
        new(new DbContextOptionsBuilder<PostgresSmartDbContext>()
            .UseNpgsql("Host=localhost;Database=design", npgsql => npgsql.MigrationsHistoryTable(SmartDbContext.MigrationsHistoryTable)).Options);
}

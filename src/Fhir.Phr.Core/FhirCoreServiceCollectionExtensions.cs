using Fhir.Phr.Core.Access;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Capabilities;
using Fhir.Phr.Core.Resources;
using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Core.Validation;
using Fhir.Phr.Protection;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;

namespace Fhir.Phr.Core;

public static class FhirCoreServiceCollectionExtensions
{
    /// <summary>Registers storage, protection, validation, search and the FHIR interactions.</summary>
    public static IServiceCollection AddFhirCore(this IServiceCollection services, PhrOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Directory.CreateDirectory(options.DataDirectory);
        var connectionString = options.ResolveConnectionString();
        if (options.Database == DatabaseProvider.PostgreSql)
        {
            services.AddDbContextPool<PostgresPhrDbContext>(db => db.UseNpgsql(connectionString, npgsql => npgsql.EnableRetryOnFailure()));
            services.AddScoped<PhrDbContext>(sp => sp.GetRequiredService<PostgresPhrDbContext>());
        }
        else
        {
            services.AddDbContextPool<SqlitePhrDbContext>(db => db.UseSqlite(connectionString, sqlite => sqlite.CommandTimeout(60)).AddInterceptors(new SqlitePragmas()));
            services.AddScoped<PhrDbContext>(sp => sp.GetRequiredService<SqlitePhrDbContext>());
        }

        services.AddSingleton(options);
        services.AddSingleton(options.Protection);
        services.AddSingleton<WriteGate>();
        services.AddSingleton<IndexWriter>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(_ => MasterKey.LoadOrCreate(string.IsNullOrEmpty(options.Protection.MasterKeyFile)
            ? Path.Combine(options.DataDirectory, "master.key")
            : options.Protection.MasterKeyFile));
        services.AddSingleton<PayloadProtector>();
        // The CP-ABE authority's master key, wrapped under the server master key, beside it.
        services.AddSingleton(sp => KeyAuthority.LoadOrCreate(
            string.IsNullOrEmpty(options.Protection.AuthorityKeyFile) ? Path.Combine(options.DataDirectory, "abe-authority.key") : options.Protection.AuthorityKeyFile,
            sp.GetRequiredService<MasterKey>()));
        services.AddSingleton<Keys.RecordKeyCache>();
        services.AddSingleton<SharingStateCache>();
        services.AddScoped<Keys.RecordKeys>();
        services.AddScoped<SharingService>();
        services.AddSingleton<BlindIndexer>();
        services.AddSingleton<IndexProtection>();
        services.AddSingleton(_ => new ProfileValidator(options.ResolveProfilesDirectory()));
        services.AddSingleton(sp =>
        {
            var validator = sp.GetRequiredService<ProfileValidator>();
            var common = SpecificationSearchParameters.Load(validator.Resolver);
            var local = validator.Local.ListSummaries()
                .Where(s => s.ResourceTypeName == "SearchParameter")
                .Select(s => validator.Local.ResolveByCanonicalUri(s.GetConformanceCanonicalUrl()!))
                .OfType<SearchParameter>()
                .ToList();
            return new SearchParameterRegistry(common, local);
        });
        services.AddSingleton<SearchIndexer>();
        services.AddSingleton<SearchQueryParser>();
        services.AddSingleton<SearchPredicates>();
        services.AddSingleton<CapabilityStatementBuilder>();
        services.AddScoped<AccessContext>();
        services.AddScoped<AccessFilter>();
        services.AddScoped<AccessAuthenticator>();
        services.AddScoped<ResourceService>();
        services.AddScoped<SearchService>();
        services.AddScoped<ConditionalResolver>();
        services.AddScoped<FhirInteractions>();
        services.AddScoped<BundleProcessor>();
        services.AddScoped<EverythingService>();
        services.AddScoped<Imaging.DicomStore>();
        services.AddScoped<Ingest.IngestService>();
        services.AddScoped<Ingest.IngestReviewService>();
        services.AddSingleton<Ingest.IngestSecrets>();
        services.AddSingleton(_ => Ingest.DocumentOcr.FromSetting(options.Import.Ocr));
        services.AddScoped<Matching.PatientMatchService>();
        return services;
    }
}

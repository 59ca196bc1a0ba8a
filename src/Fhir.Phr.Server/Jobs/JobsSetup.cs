using Fhir.Phr.Core;
using Hangfire;
using Hangfire.Dashboard;
using Hangfire.PostgreSql;
using Hangfire.Storage.SQLite;

namespace Fhir.Phr.Server.Jobs;

/// <summary>
/// Hangfire with persistent storage (SQLite file in the data directory, or the PostgreSQL
/// database when scaled out), so a restart resumes queued work. Bulk export/import, ingest and
/// key re-wrapping jobs (later issues) are enqueued on it.
/// </summary>
internal static class JobsSetup
{
    public static IServiceCollection AddJobs(this IServiceCollection services, PhrOptions options)
    {
        services.AddHangfire(configuration =>
        {
            configuration.SetDataCompatibilityLevel(CompatibilityLevel.Version_180).UseSimpleAssemblyNameTypeSerializer().UseRecommendedSerializerSettings();
            if (options.Database == DatabaseProvider.PostgreSql)
                configuration.UsePostgreSqlStorage(storage => storage.UseNpgsqlConnection(options.ResolveConnectionString()));
            else
                configuration.UseSQLiteStorage(Path.Combine(Path.GetFullPath(options.DataDirectory), "jobs.db"));
        });
        services.AddHangfireServer(server => server.WorkerCount = Math.Max(2, Environment.ProcessorCount));
        return services;
    }

    /// <summary>The dashboard at /jobs, for administrators only (no one until accounts exist, #6).</summary>
    public static IEndpointRouteBuilder MapJobs(this IEndpointRouteBuilder app)
    {
        app.MapHangfireDashboard("/jobs", new DashboardOptions
        {
            Authorization = [new AdministratorsOnly()],
            DisplayStorageConnectionString = false,
        });
        return app;
    }

    private sealed class AdministratorsOnly : IDashboardAuthorizationFilter
    {
        public bool Authorize(DashboardContext context) =>
            context.GetHttpContext().User.IsInRole("administrator");
    }
}

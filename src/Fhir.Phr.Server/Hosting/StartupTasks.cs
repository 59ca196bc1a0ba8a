using Fhir.Phr.Core;
using Fhir.Phr.Core.Bundles;
using Fhir.Phr.Core.Serialization;
using Fhir.Phr.Core.Storage;
using Fhir.Phr.Core.Validation;
using Fhir.Phr.Server.Smart;
using Hl7.Fhir.Model;
using Microsoft.EntityFrameworkCore;

namespace Fhir.Phr.Server.Hosting;

/// <summary>What runs once before the server listens: schema, validator warm-up, optional seed data.</summary>
internal static partial class StartupTasks
{
    public static async Task PrepareAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<PhrOptions>();
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Fhir.Phr.Startup");
        await using (var scope = app.Services.CreateAsyncScope())
        {
            var db = scope.ServiceProvider.GetRequiredService<PhrDbContext>();
            await db.Database.MigrateAsync();
            if (db.Database.IsSqlite())
            {
                // WAL lets readers run beside the single writer; NORMAL sync is durable at checkpoints.
                await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
            }
        }

        // Accounts and OAuth: their own schema, roles, and the first-start administrator client.
        await app.PrepareSmartAsync();

        // The validator builds its schemas lazily; doing it here keeps the first request fast.
        // The pairing code is warmed on the other core meanwhile (see KeyAuthority.Warm).
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var abeWarm = Task.Run(() => global::Fhir.Phr.Protection.KeyAuthority.Warm());
        app.Services.GetRequiredService<ProfileValidator>().Warm();
        await abeWarm;
        var elapsed = System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        LogWarmed(logger, elapsed);

        // Resolving it here also refuses a Phr:Import:Ocr path that is no file before the first scan arrives.
        var ocr = app.Services.GetRequiredService<Core.Ingest.DocumentOcr>();
        LogOcr(logger, ocr.State);

        if (!string.IsNullOrEmpty(options.Seed))
            await SeedAsync(app.Services, options.Seed, logger);
    }

    /// <summary>Loads every *.json under the folder: transaction/batch bundles as such, other resources by update.</summary>
    private static async Task SeedAsync(IServiceProvider services, string folder, ILogger logger)
    {
        if (!Directory.Exists(folder))
            throw new DirectoryNotFoundException($"Seed folder '{folder}' does not exist.");
        foreach (var file in Directory.EnumerateFiles(folder, "*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            await using var scope = services.CreateAsyncScope();
            var resource = FhirFormats.ParseJson(await File.ReadAllBytesAsync(file));
            if (resource is Bundle { Type: Bundle.BundleType.Transaction or Bundle.BundleType.Batch } bundle)
                await scope.ServiceProvider.GetRequiredService<BundleProcessor>().ProcessAsync(bundle, ReturnPreference.Minimal, CancellationToken.None);
            else if (resource.Id is not null)
                await scope.ServiceProvider.GetRequiredService<Core.Resources.ResourceService>().UpdateAsync(resource, resource.Id, null, CancellationToken.None);
            else
                await scope.ServiceProvider.GetRequiredService<Core.Resources.ResourceService>().CreateAsync(resource, CancellationToken.None);
            var name = Path.GetFileName(file);
            LogSeeded(logger, name);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Validator warmed in {Milliseconds:F0} ms")]
    private static partial void LogWarmed(ILogger logger, double milliseconds);

    [LoggerMessage(Level = LogLevel.Information, Message = "OCR of scanned documents is {State}")]
    private static partial void LogOcr(ILogger logger, string state);

    [LoggerMessage(Level = LogLevel.Information, Message = "Seeded {File}")]
    private static partial void LogSeeded(ILogger logger, string file);
}

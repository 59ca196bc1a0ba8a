using Fhir.Phr.Core;
using Fhir.Phr.Server.Accounts;
using Fhir.Phr.Server.DicomWeb;
using Fhir.Phr.Server.Fhir;
using Fhir.Phr.Server.Hosting;
using Fhir.Phr.Server.Ingest;
using Fhir.Phr.Server.Jobs;
using Fhir.Phr.Server.Matching;
using Fhir.Phr.Server.Sharing;
using Fhir.Phr.Server.Smart;

var builder = WebApplication.CreateBuilder(args);
builder.Configuration.AddCommandLine(args, new Dictionary<string, string> { ["--seed"] = "Phr:Seed", ["--data"] = "Phr:DataDirectory" });

var options = builder.Configuration.GetSection(PhrOptions.Section).Get<PhrOptions>() ?? new PhrOptions();
if (string.IsNullOrEmpty(builder.Configuration["urls"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_URLS"]) && string.IsNullOrEmpty(builder.Configuration["ASPNETCORE_HTTP_PORTS"]))
    builder.WebHost.UseUrls("http://localhost:8080");
builder.WebHost.ConfigureKestrel(kestrel => kestrel.Limits.MaxRequestBodySize = options.MaxRequestBytes);

builder.Services.AddFhirCore(options);
if (options.Database == DatabaseProvider.Sqlite)
    builder.Services.AddHostedService<SqliteOptimizer>();
builder.Services.AddJobs(options);
builder.Services.AddAccounts(builder.Configuration, options);
builder.Services.AddSmart(builder.Configuration, options);
builder.Services.AddExceptionHandler<FhirExceptionHandler>();
builder.Services.AddProblemDetails();
// A body or parameter that cannot be bound reaches the exception handler with its reason,
// instead of a bare 400 (the default outside Development).
builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(routes => routes.ThrowOnBadRequest = true);

var app = builder.Build();
app.UseExceptionHandler();
app.UseStatusCodePages(FhirExceptionHandler.WriteStatusOutcomeAsync);
app.UseSmart();
app.MapJobs();
app.MapAccounts();
app.MapSmart();
var api = app.MapFhirApi();
api.MapFhirRest();
api.MapDicomWeb();
api.MapIngest();
api.MapIngestReview();
api.MapSharing();
api.MapPatientMatch();

await app.PrepareAsync();
await app.RunAsync();

/// <summary>Entry point, visible to WebApplicationFactory in the tests.</summary>
public partial class Program;

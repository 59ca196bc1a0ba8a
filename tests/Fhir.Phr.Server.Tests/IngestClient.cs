using System.Net;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Tests;

/// <summary>Posts to `$ingest` with the administrator's token and polls the status URL until the job has ended.</summary>
internal static class IngestClient
{
    public static async Task<(HttpStatusCode Status, OperationOutcome? Outcome)> IngestAsync(FhirServerFixture server, HttpContent content, string url = "/$ingest")
    {
        using var http = server.Http();
        using var accepted = await http.PostAsync(new Uri(url, UriKind.Relative), content);
        if (accepted.StatusCode != HttpStatusCode.Accepted)
            return (accepted.StatusCode, await CrudTests.Outcome(accepted));
        var status = accepted.Content.Headers.ContentLocation ?? accepted.Headers.Location ?? new Uri(accepted.Headers.GetValues("Content-Location").Single());
        for (var attempt = 0; attempt < 240; attempt++)
        {
            using var poll = await http.GetAsync(status);
            if (poll.StatusCode != HttpStatusCode.Accepted)
                return (poll.StatusCode, await CrudTests.Outcome(poll));
            await System.Threading.Tasks.Task.Delay(250);
        }
        throw new TimeoutException("The $ingest job did not finish in 60 s.");
    }
}

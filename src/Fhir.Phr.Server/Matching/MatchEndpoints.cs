using Fhir.Phr.Core;
using Fhir.Phr.Core.Errors;
using Fhir.Phr.Core.Matching;
using Fhir.Phr.Server.Fhir;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Server.Matching;

/// <summary>
/// `POST [base]/Patient/$match` (R4 patient-operation-match.html): scored candidates for a patient, best first, each with
/// search.score and the match-grade extension.
/// </summary>
internal static class MatchEndpoints
{
    private const int DefaultCount = 10;
    private const int MaxCount = 100;

    public static IEndpointRouteBuilder MapPatientMatch(this IEndpointRouteBuilder app)
    {
        app.MapPost("/Patient/$match", Match);
        return app;
    }

    private static async Task<IResult> Match(HttpContext context, PhrOptions options, PatientMatchService matcher, CancellationToken cancellationToken)
    {
        var body = await FhirHttp.ReadResourceAsync(context.Request, options, null, cancellationToken);
        var (patient, onlyCertain, count) = Input(body);
        var result = await matcher.MatchAsync(patient, count, onlyCertain, cancellationToken);

        var bundle = new Bundle { Type = Bundle.BundleType.Searchset, Id = Guid.NewGuid().ToString("N"), Total = result.Candidates.Count };
        foreach (var candidate in result.Candidates)
        {
            var entry = FhirHttp.Entry(context.Request, candidate.Stored, mode: null);
            entry.Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Match, Score = (decimal)candidate.Score.Score };
            entry.Search.SetExtension(PatientMatcher.MatchGradeExtension, new Code(PatientMatcher.Code(candidate.Score.Grade)));
            bundle.Entry.Add(entry);
        }

        if (result.SkippedSearches.Count > 0)
        {
            bundle.Entry.Add(new Bundle.EntryComponent
            {
                Resource = Outcomes.Information($"Too many patients share the {string.Join(", ", result.SkippedSearches)} given, so those searches did not add candidates."),
                Search = new Bundle.SearchComponent { Mode = Bundle.SearchEntryMode.Outcome },
            });
        }

        return FhirHttp.Write(context, bundle);
    }

    /// <summary>The operation's Parameters (resource, onlyCertainMatches, count), or a Patient posted on its own.</summary>
    private static (Patient Patient, bool OnlyCertain, int Count) Input(Resource body)
    {
        if (body is Patient alone)
            return (alone, false, DefaultCount);
        if (body is not Parameters parameters)
            throw FhirProblem.BadRequest($"$match takes a Parameters resource (or a Patient), not a {body.TypeName}.");
        var patient = parameters.Parameter.FirstOrDefault(p => p.Name == "resource")?.Resource as Patient
            ?? throw FhirProblem.BadRequest("$match needs the parameter 'resource' holding a Patient.", "resource");
        var onlyCertain = parameters.GetSingleValue<FhirBoolean>("onlyCertainMatches")?.Value ?? false;
        var count = parameters.GetSingleValue<Integer>("count")?.Value ?? DefaultCount;
        if (count < 1)
            throw FhirProblem.BadRequest("$match's count must be at least 1.", "count");
        return (patient, onlyCertain, Math.Min(count, MaxCount));
    }
}

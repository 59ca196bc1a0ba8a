using Firely.Fhir.Validation;
using Hl7.Fhir.Model;
using Hl7.Fhir.Specification.Source;
using Hl7.Fhir.Specification.Terminology;

namespace Fhir.Phr.Core.Validation;

/// <summary>
/// Validates resources with Firely.Fhir.Validation against base R4 and the PHR profiles in
/// profiles/. Building the validator's schemas takes seconds, so one instance is built and
/// warmed at start-up (<see cref="Warm"/>) and shared; it is thread-safe.
/// </summary>
public sealed class ProfileValidator
{
    /// <summary>Canonical base of the profiles, search parameters and value sets in profiles/.</summary>
    public const string CanonicalBase = "http://fhir-phr.dev/fhir/";

    private readonly Validator _validator;
    private readonly IReadOnlyDictionary<string, string> _defaultProfiles;

    public ProfileValidator(string profilesDirectory)
    {
        Directory = profilesDirectory;
        var zip = ZipSource.CreateValidationSource();
        var local = new DirectorySource(profilesDirectory, new DirectorySourceSettings { IncludeSubDirectories = true });
        Resolver = new CachedResolver(new SerializedResolver(new SnapshotSource(new MultiResolver(local, zip))));
        Local = local;
        var terminology = new GrammarTerminologyService(new LocalTerminologyService(Resolver));
        var settings = new ValidationSettings();
        // R4's ref-1 ("a local reference has a contained resource") evaluates to empty for a
        // Reference without a reference string (display- or identifier-only, e.g.
        // Identifier.assigner), and this validator reads empty as failure. Such references are
        // valid FHIR and common in converted data, so the invariant is not run (decisions.md).
#pragma warning disable ExperimentalApi // FhirPathValidator is the only handle on an invariant's key.
        settings.ExcludeFilters.Add(assertion => assertion is FhirPathValidator { Key: "ref-1" });
#pragma warning restore ExperimentalApi
        _validator = new Validator(Resolver, terminology, null, settings);
        _defaultProfiles = local.ListSummaries()
            .Where(s => s.ResourceTypeName == "StructureDefinition")
            .Select(s => local.ResolveByCanonicalUri(s.GetConformanceCanonicalUrl()!) as StructureDefinition)
            .Where(sd => sd is { Derivation: StructureDefinition.TypeDerivationRule.Constraint, Kind: StructureDefinition.StructureDefinitionKind.Resource })
            .ToDictionary(sd => sd!.Type!, sd => sd!.Url!);
    }

    public string Directory { get; }

    public CachedResolver Resolver { get; }

    /// <summary>The conformance resources of profiles/ (StructureDefinitions, SearchParameters, ValueSets).</summary>
    public DirectorySource Local { get; }

    /// <summary>The PHR profile every resource of a type is checked against, by type.</summary>
    public IReadOnlyDictionary<string, string> DefaultProfiles => _defaultProfiles;

    /// <summary>Builds the schemas of every profiled type once, so no request pays for it.</summary>
    public void Warm()
    {
        // Resources with a full meta, so that Meta, Coding and the other common types load too.
        foreach (var type in _defaultProfiles.Keys.Append("AuditEvent"))
        {
            var resource = (Resource)Activator.CreateInstance(ModelInfo.GetTypeForFhirType(type)!)!;
            resource.Meta = new Meta { VersionId = "1", LastUpdated = DateTimeOffset.UnixEpoch, Tag = [new Coding("urn:x", "y")], Security = [new Coding("urn:x", "y")] };
            Validate(resource);
        }
        Validate(new Binary { ContentType = "text/plain", Data = [1] });
    }

    /// <summary>
    /// Validates against base R4, the type's PHR profile and any extra profile (e.g. from
    /// $validate). Returns the outcome; errors are issues with severity error or fatal.
    /// </summary>
    public OperationOutcome Validate(Resource resource, string? profile = null)
    {
        ArgumentNullException.ThrowIfNull(resource);
        var outcome = new OperationOutcome();
        var profiles = new List<string>();
        if (profile is not null)
            profiles.Add(profile);
        if (_defaultProfiles.TryGetValue(resource.TypeName, out var phr))
            profiles.Add(phr);
        if (profiles.Count == 0)
            profiles.Add(ModelInfo.CanonicalUriForFhirCoreType(resource.TypeName).Value ?? "http://hl7.org/fhir/StructureDefinition/" + resource.TypeName);
        foreach (var url in profiles.Distinct())
        {
            var result = _validator.Validate(resource, url);
            outcome.Issue.AddRange(result.Issue);
        }
        return outcome;
    }

    public static bool HasErrors(OperationOutcome outcome) =>
        outcome?.Issue.Any(i => i.Severity is OperationOutcome.IssueSeverity.Error or OperationOutcome.IssueSeverity.Fatal) ?? false;
}

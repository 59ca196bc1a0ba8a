using Fhir.Phr.Core.Search;
using Fhir.Phr.Core.Validation;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Core.Capabilities;

/// <summary>
/// Builds the CapabilityStatement (R4 capabilitystatement.html) from what the server actually
/// registers: the stored types, their search parameters, the PHR profiles and the operations.
/// Other features (SMART, bulk data) add to it through <see cref="Contributors"/>.
/// </summary>
public sealed class CapabilityStatementBuilder(SearchParameterRegistry registry, ProfileValidator validator, TimeProvider time)
{
    private static readonly CapabilityStatement.TypeRestfulInteraction[] TypeInteractions =
    [
        CapabilityStatement.TypeRestfulInteraction.Read,
        CapabilityStatement.TypeRestfulInteraction.Vread,
        CapabilityStatement.TypeRestfulInteraction.Update,
        CapabilityStatement.TypeRestfulInteraction.Patch,
        CapabilityStatement.TypeRestfulInteraction.Delete,
        CapabilityStatement.TypeRestfulInteraction.HistoryInstance,
        CapabilityStatement.TypeRestfulInteraction.HistoryType,
        CapabilityStatement.TypeRestfulInteraction.Create,
        CapabilityStatement.TypeRestfulInteraction.SearchType,
    ];

    /// <summary>Hooks for features that add security, operations or resources (e.g. SMART).</summary>
    public List<Action<CapabilityStatement>> Contributors { get; } = [];

    public CapabilityStatement Build(string baseUrl)
    {
        var statement = new CapabilityStatement
        {
            Url = baseUrl.TrimEnd('/') + "/metadata",
            Name = "FhirPhr",
            Title = "Fhir.Phr personal health record server",
            Status = PublicationStatus.Active,
            Date = time.GetUtcNow().ToString("yyyy-MM-ddTHH:mm:ssK", System.Globalization.CultureInfo.InvariantCulture),
            Kind = CapabilityStatementKind.Instance,
            Software = new CapabilityStatement.SoftwareComponent { Name = "Fhir.Phr", Version = typeof(CapabilityStatementBuilder).Assembly.GetName().Version?.ToString() },
            Implementation = new CapabilityStatement.ImplementationComponent { Description = "Fhir.Phr", Url = baseUrl },
            FhirVersion = FHIRVersion.N4_0_1,
            Format = ["application/fhir+json", "application/fhir+xml", "json", "xml"],
            PatchFormat = ["application/json-patch+json", "application/fhir+json", "application/fhir+xml"],
        };
        var rest = new CapabilityStatement.RestComponent { Mode = CapabilityStatement.RestfulCapabilityMode.Server };
        foreach (var type in SearchParameterRegistry.SupportedTypes)
            rest.Resource.Add(DescribeType(type));
        rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Transaction });
        rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.Batch });
        rest.Interaction.Add(new CapabilityStatement.SystemInteractionComponent { Code = CapabilityStatement.SystemRestfulInteraction.HistorySystem });
        foreach (var common in registry.For("Patient").Where(p => p.Code.StartsWith('_')))
            rest.SearchParam.Add(Describe(common));
        statement.Rest.Add(rest);
        foreach (var contribute in Contributors)
            contribute(statement);
        return statement;
    }

    private CapabilityStatement.ResourceComponent DescribeType(string type)
    {
        var component = new CapabilityStatement.ResourceComponent
        {
            Type = type,
            Profile = "http://hl7.org/fhir/StructureDefinition/" + type,
            Versioning = CapabilityStatement.ResourceVersionPolicy.VersionedUpdate,
            ReadHistory = true,
            UpdateCreate = true,
            ConditionalCreate = true,
            ConditionalRead = CapabilityStatement.ConditionalReadStatus.FullSupport,
            ConditionalUpdate = true,
            ConditionalDelete = CapabilityStatement.ConditionalDeleteStatus.Single,
            ReferencePolicy = [CapabilityStatement.ReferenceHandlingPolicy.Literal, CapabilityStatement.ReferenceHandlingPolicy.Logical],
            SearchInclude = registry.For(type).Where(p => p.Type == SearchParamType.Reference).Select(p => $"{type}:{p.Code}").Prepend("*").ToList(),
            SearchRevInclude = SearchParameterRegistry.SupportedTypes
                .SelectMany(other => registry.For(other).Where(p => p.Type == SearchParamType.Reference && (p.Targets.Count == 0 || p.Targets.Contains(type))).Select(p => $"{other}:{p.Code}"))
                .ToList(),
        };
        if (validator.DefaultProfiles.TryGetValue(type, out var profile))
            component.SupportedProfile = [profile];
        foreach (var interaction in TypeInteractions)
            component.Interaction.Add(new CapabilityStatement.ResourceInteractionComponent { Code = interaction });
        foreach (var parameter in registry.For(type).Where(p => !p.Code.StartsWith('_')).OrderBy(p => p.Code, StringComparer.Ordinal))
            component.SearchParam.Add(Describe(parameter));
        component.Operation.Add(new CapabilityStatement.OperationComponent { Name = "validate", Definition = "http://hl7.org/fhir/OperationDefinition/Resource-validate" });
        if (type == "Patient")
            component.Operation.Add(new CapabilityStatement.OperationComponent { Name = "everything", Definition = "http://hl7.org/fhir/OperationDefinition/Patient-everything" });
        return component;
    }

    private static CapabilityStatement.SearchParamComponent Describe(SearchParameterInfo parameter) => new()
    {
        Name = parameter.Code,
        Definition = parameter.Url,
        Type = parameter.Type,
        Documentation = string.IsNullOrWhiteSpace(parameter.Description) ? null : parameter.Description,
    };
}

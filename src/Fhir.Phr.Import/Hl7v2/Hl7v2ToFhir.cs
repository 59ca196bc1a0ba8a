using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>What a converter produced from one message, and what it could not take as given.</summary>
public sealed class ConversionResult(IReadOnlyList<Resource> resources, IReadOnlyList<Hl7Issue> issues)
{
    public IReadOnlyList<Resource> Resources { get; } = resources;

    public IReadOnlyList<Hl7Issue> Issues { get; } = issues;

    /// <summary>True when something was produced and no issue is an error.</summary>
    public bool Succeeded => Resources.Count > 0 && !Issues.Any(i => i.Severity == Hl7IssueSeverity.Error);
}

/// <summary>
/// HL7 v2 messages to FHIR R4: ADT -> Patient (with a replaces link for merges), MDM and ORU ->
/// DocumentReference plus Patient. Pure: no I/O, no clock; references between the produced
/// resources are logical (by identifier) so the caller decides which stored Patient they mean.
/// </summary>
public static class Hl7v2ToFhir
{
    public const string ConverterTagSystem = "http://fhir-phr.dev/fhir/CodeSystem/converter";
    public const string ConverterTagCode = "hl7v2";

    /// <summary>Merge events whose MRG-1 names the patient identifier that is retired (HL7 v2.5.1 chapter 3).</summary>
    private static readonly HashSet<string> PatientMergeEvents = ["A30", "A34", "A36", "A39", "A40"];

    public static ConversionResult Convert(Hl7Message message)
    {
        ArgumentNullException.ThrowIfNull(message);
        var conversion = new Hl7Conversion(message);
        switch (message.MessageType)
        {
            case "ADT":
                ConvertAdt(conversion);
                break;
            case "MDM":
                Hl7DocumentMapper.ConvertMdm(conversion);
                break;
            case "ORU":
                Hl7DocumentMapper.ConvertOru(conversion);
                break;
            default:
                conversion.Report(Hl7IssueCode.UnsupportedMessageType, Hl7IssueSeverity.Error,
                    $"message type '{message.MessageType}^{message.TriggerEvent}' is not converted", message.Header, 9);
                break;
        }

        return new ConversionResult(conversion.Resources, conversion.Issues);
    }

    private static void ConvertAdt(Hl7Conversion conversion)
    {
        var message = conversion.Message;
        var merge = PatientMergeEvents.Contains(message.TriggerEvent);
        Patient? current = null;
        var seenPid = false;
        foreach (var segment in message.Segments)
        {
            switch (segment.Name)
            {
                case "PID":
                    seenPid = true;
                    current = Hl7PatientMapper.Map(segment, conversion);
                    conversion.Add(current);
                    break;
                case "MRG" when merge && current is not null:
                    AddReplacesLink(current, segment, conversion);
                    current = null;
                    break;
            }
        }

        if (!seenPid)
        {
            conversion.Report(Hl7IssueCode.MissingPatientSegment, Hl7IssueSeverity.Warning,
                $"ADT^{message.TriggerEvent} has no PID segment, so there is no patient to convert", message.Header, 9);
        }
        else if (merge && conversion.Resources.OfType<Patient>().Any(p => p.Link.Count == 0))
        {
            conversion.Report(Hl7IssueCode.MissingMergeSegment, Hl7IssueSeverity.Error,
                $"ADT^{message.TriggerEvent} has a PID without a following MRG-1 prior identifier", message["PID"], 0);
        }
    }

    /// <summary>
    /// The surviving patient replaces the one named by MRG-1 (R4 patient.html#links: "replaces" is
    /// set on the surviving record). The retired record is named by identifier, as the converter
    /// does not know its resource id.
    /// </summary>
    private static void AddReplacesLink(Patient survivor, Hl7Segment mrg, Hl7Conversion conversion)
    {
        foreach (var repetition in mrg.Field(1).Repetitions())
        {
            if (Hl7DataTypes.Identifier(repetition, conversion, mrg, 1) is { } prior)
            {
                survivor.Link.Add(new Patient.LinkComponent
                {
                    Other = new ResourceReference { Type = "Patient", Identifier = prior },
                    Type = Patient.LinkType.Replaces,
                });
            }
        }
    }
}

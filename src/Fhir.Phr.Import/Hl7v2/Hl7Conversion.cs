using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>The state of converting one message: what was produced, what went wrong, and the sender's context.</summary>
internal sealed class Hl7Conversion
{
    private bool reportedAssumedZone;

    public Hl7Conversion(Hl7Message message)
    {
        Message = message;
        var facility = message.Header.Field(4);
        var name = Hl7DataTypes.Clean(facility.Component(1).Value);
        if (name.Length == 0)
        {
            name = Hl7DataTypes.Clean(facility.Component(2).Value);
        }

        if (name.Length == 0)
        {
            Report(Hl7IssueCode.MissingSendingFacility, Hl7IssueSeverity.Warning,
                "MSH-4 sending facility is empty; meta.source names an unknown facility", message.Header, 4);
            name = "unknown";
        }

        Source = "urn:hl7v2:" + Uri.EscapeDataString(name);
        if (Hl7DateTime.TryParse(Hl7DataTypes.Clean(message.Header.Field(7).Value), out var sent) && sent.Offset is { } offset)
        {
            SenderOffset = offset;
        }
    }

    public Hl7Message Message { get; }

    public List<Resource> Resources { get; } = [];

    public List<Hl7Issue> Issues { get; } = [];

    /// <summary>meta.source for every resource: the sending facility (MSH-4) as a URN.</summary>
    public string Source { get; }

    /// <summary>The sender's UTC offset from MSH-7, for times written without one.</summary>
    public TimeSpan? SenderOffset { get; }

    public void Add(Resource resource)
    {
        resource.Meta = new Meta { Source = Source };
        resource.Meta.Tag.Add(new Coding(Hl7v2ToFhir.ConverterTagSystem, Hl7v2ToFhir.ConverterTagCode));
        Resources.Add(resource);
    }

    public void Report(Hl7IssueCode code, Hl7IssueSeverity severity, string text, Hl7Segment segment, int field) =>
        Issues.Add(new Hl7Issue(code, severity, text, Message.Index, segment.IsPresent ? segment.Name : null, segment.Position, field));

    /// <summary>The offset for a time that has none: the sender's, else UTC, reported once per message.</summary>
    public TimeSpan OffsetFor(Hl7DateTime value, Hl7Segment segment, int field)
    {
        if (value.Offset is { } own)
        {
            return own;
        }

        if (SenderOffset is { } sender)
        {
            return sender;
        }

        if (value.HasTime && !reportedAssumedZone)
        {
            reportedAssumedZone = true;
            Report(Hl7IssueCode.TimeZoneAssumed, Hl7IssueSeverity.Information,
                "time written without a UTC offset and MSH-7 has none either; UTC assumed", segment, field);
        }

        return TimeSpan.Zero;
    }
}

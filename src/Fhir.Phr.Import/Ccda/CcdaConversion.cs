using System.Xml;
using System.Xml.Linq;
using Fhir.Phr.Import.Hl7v2;
using Hl7.Fhir.Model;

namespace Fhir.Phr.Import.Ccda;

/// <summary>The state of converting one document: what was produced, what went wrong, and where the document came from.</summary>
internal sealed class CcdaConversion
{
    private bool reportedAssumedZone;

    public List<Resource> Resources { get; } = [];

    public List<CcdaIssue> Issues { get; } = [];

    /// <summary>meta.source for every resource, set once the custodian is known.</summary>
    public string Source { get; set; } = "urn:fhir-phr:ccda:unknown";

    public void Add(Resource resource)
    {
        resource.Meta = new Meta { Source = Source };
        resource.Meta.Tag.Add(new Coding(CcdaToFhir.ConverterTagSystem, CcdaToFhir.ConverterTagCode));
        Resources.Add(resource);
    }

    public void Report(CcdaIssueCode code, CcdaIssueSeverity severity, string message, XElement? at) =>
        Issues.Add(new CcdaIssue(code, severity, message, at is IXmlLineInfo info && info.HasLineInfo() ? info.LineNumber : 0, at is null ? null : PathOf(at)));

    /// <summary>
    /// A TS value (CDA R2 datatypes: the HL7 v2 DTM shape, YYYYMMDDHHMMSS.UUUU[+|-ZZzz]); an unreadable value is reported, an
    /// absent one or a nullFlavor is not.
    /// </summary>
    public Hl7DateTime? Time(XElement? element)
    {
        var text = element?.Attribute("value")?.Value.Trim();
        if (string.IsNullOrEmpty(text))
        {
            return null;
        }

        if (Hl7DateTime.TryParse(text, out var value))
        {
            return value;
        }

        Report(CcdaIssueCode.InvalidDateTime, CcdaIssueSeverity.Warning, $"'{text}' is not a CDA timestamp (YYYYMMDD[HHMM[SS]][+/-ZZZZ]); left out", element);
        return null;
    }

    /// <summary>The UTC offset of a time: its own, else UTC, reported once per document when the value has a time of day.</summary>
    public TimeSpan OffsetFor(Hl7DateTime value, XElement at)
    {
        if (value.Offset is { } own)
        {
            return own;
        }

        if (value.HasTime && !reportedAssumedZone)
        {
            reportedAssumedZone = true;
            Report(CcdaIssueCode.TimeZoneAssumed, CcdaIssueSeverity.Information, "time written without a UTC offset; UTC assumed", at);
        }

        return TimeSpan.Zero;
    }

    public FhirDateTime? DateTime(XElement? element) =>
        Time(element) is { } value ? new FhirDateTime(value.ToFhirDateTime(OffsetFor(value, element!))) : null;

    private static string PathOf(XElement element)
    {
        var names = new Stack<string>();
        for (var current = element; current is not null; current = current.Parent)
        {
            names.Push(current.Name.LocalName);
        }

        return string.Join('/', names);
    }
}

using System.Text;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>One HL7 v2 message in ER7 encoding: MSH and the segments that follow it.</summary>
public sealed class Hl7Message
{
    private readonly Hl7Context context;

    internal Hl7Message(int index, IReadOnlyList<Hl7Segment> segments, Hl7Context context)
    {
        Index = index;
        Segments = segments;
        this.context = context;
    }

    /// <summary>0-based position of the message in its input (file or stream).</summary>
    public int Index { get; }

    public IReadOnlyList<Hl7Segment> Segments { get; }

    public Hl7Delimiters Delimiters => context.Delimiters;

    /// <summary>The character set the message text was read in (MSH-18, HL7 v2.5.1 table 0211).</summary>
    public Encoding Encoding => context.Encoding;

    /// <summary>The first segment named <paramref name="name"/>, or an absent segment whose fields are all empty.</summary>
    public Hl7Segment this[string name]
    {
        get
        {
            foreach (var segment in Segments)
            {
                if (segment.Name == name)
                {
                    return segment;
                }
            }

            return Hl7Segment.Missing;
        }
    }

    public IEnumerable<Hl7Segment> All(string name) => Segments.Where(s => s.Name == name);

    public Hl7Segment Header => Segments[0];

    /// <summary>MSH-9.1, e.g. "ADT".</summary>
    public string MessageType => Header.Field(9).Component(1).Value;

    /// <summary>MSH-9.2, e.g. "A01".</summary>
    public string TriggerEvent => Header.Field(9).Component(2).Value;

    /// <summary>MSH-10.</summary>
    public string ControlId => Header.Field(10).Value;

    /// <summary>MSH-12.1.</summary>
    public string Version => Header.Field(12).Value;

    /// <summary>The message as ER7 text, segments ended by CR (HL7 v2.5.1 chapter 2).</summary>
    public override string ToString() => string.Concat(Segments.Select(s => s.Raw + "\r"));
}

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>One segment: its three-letter name and its fields, numbered from 1 as HL7 does.</summary>
public sealed class Hl7Segment
{
    private readonly string[] fields;
    private readonly Hl7Context context;

    internal Hl7Segment(string raw, string[] fields, int position, Hl7Context context)
    {
        Raw = raw;
        this.fields = fields;
        Position = position;
        this.context = context;
    }

    internal static Hl7Segment Missing { get; } = new(string.Empty, [string.Empty], 0, Hl7Context.Literal);

    /// <summary>The segment name, e.g. "PID"; empty for a segment that is not in the message.</summary>
    public string Name => fields[0];

    /// <summary>1-based line of the segment within its message; 0 when the segment is absent.</summary>
    public int Position { get; }

    public bool IsPresent => Position > 0;

    /// <summary>Number of the last field present (MSH counts MSH-1, the field separator).</summary>
    public int FieldCount => fields.Length - 1;

    /// <summary>The segment as written, without its terminator.</summary>
    public string Raw { get; }

    /// <summary>Field <paramref name="number"/> (1-based); an empty field when absent.</summary>
    public Hl7Field Field(int number)
    {
        if (number <= 0 || number >= fields.Length)
        {
            return new Hl7Field(string.Empty, context);
        }

        // HL7 v2.5.1 2.14.9, MSH-1 and MSH-2 are the delimiters themselves.
        var literal = number <= 2 && Name is "MSH";
        return new Hl7Field(fields[number], literal ? Hl7Context.Literal : context);
    }

    public override string ToString() => Raw;
}

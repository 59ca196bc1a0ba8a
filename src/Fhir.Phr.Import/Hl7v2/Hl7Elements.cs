using System.Text;

namespace Fhir.Phr.Import.Hl7v2;

/// <summary>What a field needs to split and decode itself: the message's delimiters and character set.</summary>
internal sealed class Hl7Context(Hl7Delimiters delimiters, Encoding encoding)
{
    /// <summary>MSH-1 and MSH-2 are the delimiters themselves, so they are neither split nor decoded.</summary>
    public static Hl7Context Literal { get; } = new(
        new Hl7Delimiters(Hl7Delimiters.Absent, Hl7Delimiters.Absent, Hl7Delimiters.Absent, Hl7Delimiters.Absent, Hl7Delimiters.Absent),
        Encoding.UTF8);

    public Hl7Delimiters Delimiters { get; } = delimiters;

    public Encoding Encoding { get; } = encoding;

    public string Unescape(string raw) => Delimiters.Unescape(raw, Encoding);

    /// <summary>The <paramref name="index"/>-th (0-based) part of <paramref name="raw"/> split on <paramref name="separator"/>, or empty.</summary>
    public static string Part(string raw, char separator, int index)
    {
        if (index < 0 || raw.Length == 0)
        {
            return string.Empty;
        }

        var start = 0;
        for (var i = 0; i < index; i++)
        {
            var next = raw.IndexOf(separator, start);
            if (next < 0)
            {
                return string.Empty;
            }

            start = next + 1;
        }

        var end = raw.IndexOf(separator, start);
        return end < 0 ? raw[start..] : raw[start..end];
    }

    public static int Count(string raw, char separator)
    {
        if (raw.Length == 0)
        {
            return 0;
        }

        var count = 1;
        foreach (var c in raw)
        {
            if (c == separator)
            {
                count++;
            }
        }

        return count;
    }
}

/// <summary>
/// One field of a segment. Its <see cref="Value"/> is the decoded first sub-component of the first
/// component of the first repetition, which is what HL7 means by the value of a simple field.
/// </summary>
public readonly struct Hl7Field
{
    private readonly Hl7Context? context;
    private readonly string? raw;

    internal Hl7Field(string raw, Hl7Context context)
    {
        this.raw = raw;
        this.context = context;
    }

    /// <summary>The field as written, escape sequences and delimiters included.</summary>
    public string Raw => raw ?? string.Empty;

    public bool IsEmpty => Raw.Length == 0;

    public int RepetitionCount => context is null ? 0 : Hl7Context.Count(Raw, context.Delimiters.Repetition);

    public string Value => Repetition(0).Value;

    /// <summary>The repetition at 0-based <paramref name="index"/> (HL7 repetitions are unnumbered), or an empty one.</summary>
    public Hl7Repetition Repetition(int index) =>
        context is null ? default : new Hl7Repetition(Hl7Context.Part(Raw, context.Delimiters.Repetition, index), context);

    public IEnumerable<Hl7Repetition> Repetitions()
    {
        for (var i = 0; i < RepetitionCount; i++)
        {
            yield return Repetition(i);
        }
    }

    /// <summary>Component <paramref name="number"/> (1-based) of the first repetition.</summary>
    public Hl7Component Component(int number) => Repetition(0).Component(number);

    public override string ToString() => Raw;
}

public readonly struct Hl7Repetition
{
    private readonly Hl7Context? context;
    private readonly string? raw;

    internal Hl7Repetition(string raw, Hl7Context context)
    {
        this.raw = raw;
        this.context = context;
    }

    public string Raw => raw ?? string.Empty;

    public bool IsEmpty => Raw.Length == 0;

    public int ComponentCount => context is null ? 0 : Hl7Context.Count(Raw, context.Delimiters.Component);

    public string Value => Component(1).Value;

    /// <summary>
    /// The whole repetition decoded, delimiters included as written; for text types (TX, FT, ST)
    /// whose content is not meant to have components (HL7 v2.5.1 2.A).
    /// </summary>
    public string Text => context is null ? string.Empty : context.Unescape(Raw);

    public Hl7Component Component(int number) =>
        context is null ? default : new Hl7Component(Hl7Context.Part(Raw, context.Delimiters.Component, number - 1), context);

    public override string ToString() => Raw;
}

public readonly struct Hl7Component
{
    private readonly Hl7Context? context;
    private readonly string? raw;

    internal Hl7Component(string raw, Hl7Context context)
    {
        this.raw = raw;
        this.context = context;
    }

    public string Raw => raw ?? string.Empty;

    public bool IsEmpty => Raw.Length == 0;

    public int SubComponentCount => context is null ? 0 : Hl7Context.Count(Raw, context.Delimiters.SubComponent);

    public string Value => SubComponent(1);

    /// <summary>Sub-component <paramref name="number"/> (1-based), decoded.</summary>
    public string SubComponent(int number) =>
        context is null ? string.Empty : context.Unescape(Hl7Context.Part(Raw, context.Delimiters.SubComponent, number - 1));

    public override string ToString() => Raw;
}

using System.Collections;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// A DICOM data set: elements addressed by tag, in the order they were read. Sequence items are
/// data sets too and inherit the Specific Character Set of the enclosing data set unless they
/// carry their own (PS3.5 §7.5.3).
/// </summary>
public sealed class DicomDataset : IEnumerable<DicomItem>
{
    private readonly List<DicomItem> _items = [];
    private readonly Dictionary<DicomTag, DicomItem> _byTag = [];
    private DicomCharacterSet? _characterSet;

    public DicomDataset()
    {
    }

    internal DicomDataset(DicomDataset? parent)
    {
        Parent = parent;
    }

    public DicomDataset? Parent { get; }

    public int Count => _items.Count;

    internal DicomCharacterSet CharacterSet => _characterSet ??= ResolveCharacterSet();

    /// <summary>
    /// False when Specific Character Set (0008,0005), here or inherited, names a set this reader cannot
    /// decode; text then falls back to Latin-1 or U+FFFD and should be flagged, not trusted.
    /// </summary>
    public bool IsCharacterSetSupported => CharacterSet.IsFullySupported;

    public bool Contains(DicomTag tag) => _byTag.ContainsKey(tag);

    public DicomItem? this[DicomTag tag] => _byTag.GetValueOrDefault(tag);

    public bool TryGetItem(DicomTag tag, [MaybeNullWhen(false)] out DicomItem item) => _byTag.TryGetValue(tag, out item);

    public IEnumerator<DicomItem> GetEnumerator() => _items.GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>All values of the element as text; empty when the element is absent or empty.</summary>
    public IReadOnlyList<string> GetStrings(DicomTag tag) =>
        _byTag.GetValueOrDefault(tag) is DicomElement element ? element.GetValues(CharacterSet) : [];

    /// <summary>The whole value (multiple values joined with '\'); throws when absent.</summary>
    public string GetString(DicomTag tag) =>
        TryGetString(tag, out var value) ? value : throw new KeyNotFoundException($"{Describe(tag)} is not in the data set.");

    public bool TryGetString(DicomTag tag, out string value)
    {
        if (_byTag.GetValueOrDefault(tag) is DicomElement element)
        {
            value = string.Join('\\', element.GetValues(CharacterSet));
            return true;
        }

        value = string.Empty;
        return false;
    }

    /// <summary>The value as text when present and not empty, otherwise null.</summary>
    public string? GetSingleValueOrDefault(DicomTag tag)
    {
        var values = GetStrings(tag);
        return values.Count > 0 && values[0].Trim().Length > 0 ? values[0].Trim() : null;
    }

    public int GetInt(DicomTag tag, int index = 0) =>
        TryGetInt(tag, out var value, index) ? value : throw new FormatException($"{Describe(tag)} has no integer value {index}.");

    /// <summary>Reads IS and DS text and the binary integer VRs (US, SS, UL, SL, SV, UV).</summary>
    public bool TryGetInt(DicomTag tag, out int value, int index = 0)
    {
        value = 0;
        if (_byTag.GetValueOrDefault(tag) is not DicomElement element)
        {
            return false;
        }

        if (DicomVRInfo.IsString(element.VR))
        {
            var values = element.GetValues(CharacterSet);
            return index < values.Length && int.TryParse(values[index].Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out value);
        }

        var integers = element.GetIntegers();
        if (index >= integers.Length || integers[index] < int.MinValue || integers[index] > int.MaxValue)
        {
            return false;
        }

        value = (int)integers[index];
        return true;
    }

    public bool TryGetDouble(DicomTag tag, out double value, int index = 0)
    {
        value = 0;
        if (_byTag.GetValueOrDefault(tag) is not DicomElement element)
        {
            return false;
        }

        if (DicomVRInfo.IsString(element.VR))
        {
            var values = element.GetValues(CharacterSet);
            return index < values.Length && double.TryParse(values[index].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        var doubles = element.GetDoubles();
        if (index < doubles.Length)
        {
            value = doubles[index];
            return true;
        }

        var integers = element.GetIntegers();
        if (index < integers.Length)
        {
            value = integers[index];
            return true;
        }

        return false;
    }

    public DateOnly GetDate(DicomTag tag) =>
        TryGetDate(tag, out var value) ? value : throw new FormatException($"{Describe(tag)} is not a full DA date.");

    /// <summary>A full DA value YYYYMMDD (PS3.5 §6.2); the pre-1993 form YYYY.MM.DD is accepted too.</summary>
    public bool TryGetDate(DicomTag tag, out DateOnly value)
    {
        value = default;
        var text = GetSingleValueOrDefault(tag)?.Replace(".", string.Empty, StringComparison.Ordinal);
        return text is not null && DateOnly.TryParseExact(text, "yyyyMMdd", CultureInfo.InvariantCulture, DateTimeStyles.None, out value);
    }

    public DateTimeOffset GetDateTime(DicomTag tag) =>
        TryGetDateTime(tag, out var value) ? value : throw new FormatException($"{Describe(tag)} is not a DT value.");

    /// <summary>A DT value (YYYY[MM[DD[HH[MM[SS[.F{1-6}]]]]]][&amp;ZZXX]); missing parts take their lowest value, a missing offset is UTC.</summary>
    public bool TryGetDateTime(DicomTag tag, out DateTimeOffset value)
    {
        value = default;
        var text = GetSingleValueOrDefault(tag);
        if (text is null || !DicomDateTimeText.TryParse(text, out var parsed))
        {
            return false;
        }

        try
        {
            value = parsed.ToDateTimeOffset(TimeSpan.Zero);
            return true;
        }
        catch (ArgumentOutOfRangeException)
        {
            // Year 0001 with a positive offset falls before DateTimeOffset.MinValue in UTC.
            return false;
        }
    }

    /// <summary>Combines a DA and a TM element (e.g. StudyDate and StudyTime) into one value, the time optional.</summary>
    public bool TryGetDateTime(DicomTag dateTag, DicomTag timeTag, out DateTime value)
    {
        value = default;
        if (!TryGetDate(dateTag, out var date))
        {
            return false;
        }

        var time = GetSingleValueOrDefault(timeTag);
        if (time is null)
        {
            value = date.ToDateTime(TimeOnly.MinValue);
            return true;
        }

        if (!DicomDateTimeText.TryParse(date.ToString("yyyyMMdd", CultureInfo.InvariantCulture) + DicomDateTimeText.NormalizeTime(time), out var parsed))
        {
            return false;
        }

        value = parsed.ToDateTimeOffset(TimeSpan.Zero).DateTime;
        return true;
    }

    public DicomPersonName? GetPersonName(DicomTag tag) =>
        TryGetString(tag, out var value) ? DicomPersonName.Parse(value) : null;

    public DicomSequence? GetSequence(DicomTag tag) => _byTag.GetValueOrDefault(tag) as DicomSequence;

    internal void Add(DicomItem item)
    {
        // A repeated tag is invalid (PS3.5 §7.1); like dcmtk, the first one stays and the repeat is ignored.
        if (_byTag.TryAdd(item.Tag, item))
        {
            _items.Add(item);
        }
    }

    private static string Describe(DicomTag tag) => DicomDictionary.GetKeyword(tag) is { } keyword ? $"{keyword} {tag}" : tag.ToString();

    private DicomCharacterSet ResolveCharacterSet()
    {
        if (_byTag.GetValueOrDefault(DicomTag.SpecificCharacterSet) is DicomElement element)
        {
            return DicomCharacterSet.FromTerms(element.GetValues(DicomCharacterSet.Default));
        }

        return Parent?.CharacterSet ?? DicomCharacterSet.Default;
    }
}

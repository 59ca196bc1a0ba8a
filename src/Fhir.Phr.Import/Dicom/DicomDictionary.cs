using System.Collections.Frozen;
using Fhir.Phr.Import.Dicom.Dictionary;

namespace Fhir.Phr.Import.Dicom;

/// <summary>One attribute of the PS3.6 data dictionary. <see cref="Mask"/> is not all ones for repeating groups such as (60xx,3000).</summary>
public sealed record DicomDictionaryEntry(uint TagValue, uint Mask, string Keyword, string Name, DicomVR VR, string VM, bool IsRetired)
{
    public DicomTag Tag => new((ushort)(TagValue >> 16), (ushort)TagValue);
}

/// <summary>Tag, keyword and VR of the standard attributes, generated from PS3.6 (see Dictionary/generate_dictionary.py).</summary>
public static class DicomDictionary
{
    private static readonly FrozenDictionary<uint, DicomDictionaryEntry> ByTag =
        DicomDictionaryData.Entries.Where(e => e.Mask == uint.MaxValue).ToFrozenDictionary(e => e.TagValue);

    private static readonly FrozenDictionary<string, DicomDictionaryEntry> ByKeyword =
        DicomDictionaryData.Entries.GroupBy(e => e.Keyword, StringComparer.Ordinal).ToFrozenDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);

    private static readonly DicomDictionaryEntry[] Repeating = DicomDictionaryData.Entries.Where(e => e.Mask != uint.MaxValue).ToArray();

    public static int Count => DicomDictionaryData.Entries.Length;

    public static bool TryGetEntry(DicomTag tag, out DicomDictionaryEntry entry)
    {
        if (ByTag.TryGetValue(tag.Value, out entry!))
        {
            return true;
        }

        foreach (var candidate in Repeating)
        {
            if ((tag.Value & candidate.Mask) == candidate.TagValue)
            {
                entry = candidate;
                return true;
            }
        }

        entry = null!;
        return false;
    }

    public static bool TryGetTag(string keyword, out DicomTag tag)
    {
        if (ByKeyword.TryGetValue(keyword, out var entry) && entry.Mask == uint.MaxValue)
        {
            tag = entry.Tag;
            return true;
        }

        tag = default;
        return false;
    }

    public static string? GetKeyword(DicomTag tag) => TryGetEntry(tag, out var entry) ? entry.Keyword : null;

    /// <summary>
    /// The VR to assume where the stream does not say (implicit VR, PS3.5 §7.1.3). Group lengths
    /// are UL, private creators LO (PS3.5 §7.8.1); anything else unknown is UN.
    /// </summary>
    public static DicomVR GetImplicitVR(DicomTag tag)
    {
        if (tag.Element == 0x0000)
        {
            return DicomVR.UL;
        }

        if (tag.IsPrivate)
        {
            return tag.IsPrivateCreator ? DicomVR.LO : DicomVR.UN;
        }

        return TryGetEntry(tag, out var entry) ? entry.VR : DicomVR.UN;
    }
}

namespace Fhir.Phr.Import.Dicom;

/// <summary>Value Representations of PS3.5 §6.2 (2024 edition, including SV, UV, OV).</summary>
#pragma warning disable CA1008 // There is no "no VR": every element has one, UN when unknown.
public enum DicomVR
#pragma warning restore CA1008
{
    AE = 1, AS, AT, CS, DA, DS, DT, FD, FL, IS, LO, LT, OB, OD, OF, OL, OV, OW, PN, SH, SL, SQ, SS, ST, SV, TM, UC, UI, UL, UN, UR, US, UT, UV,
}

internal static class DicomVRInfo
{
    // Two upper-case letters index a 26 x 26 table; 0 means "not a VR".
    private static readonly DicomVR[] ByCode = BuildCodeTable();

    internal static bool TryParse(byte first, byte second, out DicomVR vr)
    {
        vr = default;
        if (first is < (byte)'A' or > (byte)'Z' || second is < (byte)'A' or > (byte)'Z')
        {
            return false;
        }

        vr = ByCode[((first - 'A') * 26) + (second - 'A')];
        return vr != default;
    }

    private static DicomVR[] BuildCodeTable()
    {
        var table = new DicomVR[26 * 26];
        foreach (var vr in Enum.GetValues<DicomVR>())
        {
            var code = vr.ToString();
            table[((code[0] - 'A') * 26) + (code[1] - 'A')] = vr;
        }

        return table;
    }

    /// <summary>
    /// PS3.5 §7.1.2: these VRs use a 2-byte reserved field and a 32-bit length in explicit VR
    /// streams; all others a 16-bit length.
    /// </summary>
    internal static bool HasLongLength(DicomVR vr) => vr is DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV
        or DicomVR.OW or DicomVR.SQ or DicomVR.UC or DicomVR.UN or DicomVR.UR or DicomVR.UT or DicomVR.SV or DicomVR.UV;

    internal static bool IsString(DicomVR vr) => vr is DicomVR.AE or DicomVR.AS or DicomVR.CS or DicomVR.DA or DicomVR.DS
        or DicomVR.DT or DicomVR.IS or DicomVR.LO or DicomVR.LT or DicomVR.PN or DicomVR.SH or DicomVR.ST or DicomVR.TM
        or DicomVR.UC or DicomVR.UI or DicomVR.UR or DicomVR.UT;

    /// <summary>PS3.5 §6.1.2.3: only these VRs may use characters of the Specific Character Set (0008,0005).</summary>
    internal static bool UsesSpecificCharacterSet(DicomVR vr) =>
        vr is DicomVR.SH or DicomVR.LO or DicomVR.ST or DicomVR.LT or DicomVR.PN or DicomVR.UC or DicomVR.UT;

    /// <summary>PS3.5 §6.2: backslash is an ordinary character in LT, ST, UT and UR, which have a single value.</summary>
    internal static bool IsSingleValuedText(DicomVR vr) => vr is DicomVR.LT or DicomVR.ST or DicomVR.UT or DicomVR.UR;
}

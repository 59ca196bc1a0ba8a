using System.Globalization;
using System.Text.Json;

namespace Fhir.Phr.Import.Dicom;

/// <summary>
/// The DICOM JSON model (PS3.18 Annex F): a data set as an object keyed by "GGGGEEEE" tags,
/// each with its "vr" and "Value" (or "InlineBinary" for small binary values). Used for
/// WADO-RS metadata and QIDO-RS results. Pixel data and large binary values are left out, as
/// the standard allows when no BulkDataURI is offered.
/// </summary>
public static class DicomJsonWriter
{
    /// <summary>Binary values up to this size are inlined as Base64; larger ones are omitted.</summary>
    public const int MaxInlineBinary = 4096;

    public static void Write(Utf8JsonWriter writer, DicomDataset dataset)
    {
        ArgumentNullException.ThrowIfNull(writer);
        ArgumentNullException.ThrowIfNull(dataset);
        writer.WriteStartObject();
        foreach (var item in dataset)
        {
            // File meta information (group 0002) describes the file, not the instance (F.2).
            if (item.Tag.Group == 0x0002)
                continue;
            writer.WritePropertyName($"{item.Tag.Group:X4}{item.Tag.Element:X4}");
            writer.WriteStartObject();
            writer.WriteString("vr", item.VR.ToString());
            switch (item)
            {
                case DicomSequence sequence:
                    writer.WriteStartArray("Value");
                    foreach (var nested in sequence.Items)
                        Write(writer, nested);
                    writer.WriteEndArray();
                    break;
                case DicomElement element when element.Length > 0:
                    WriteValue(writer, element, dataset.CharacterSet);
                    break;
            }
            writer.WriteEndObject();
        }
        writer.WriteEndObject();
    }

    private static void WriteValue(Utf8JsonWriter writer, DicomElement element, DicomCharacterSet characterSet)
    {
        switch (element.VR)
        {
            case DicomVR.OB or DicomVR.OD or DicomVR.OF or DicomVR.OL or DicomVR.OV or DicomVR.OW or DicomVR.UN:
                if (element.Length <= MaxInlineBinary)
                    writer.WriteBase64String("InlineBinary", element.Buffer.Span);
                return;
            case DicomVR.PN:
                // F.2.2: each value's component groups as Alphabetic, Ideographic, Phonetic.
                writer.WriteStartArray("Value");
                foreach (var value in element.GetValues(characterSet))
                {
                    writer.WriteStartObject();
                    var groups = value.Split('=');
                    string[] names = ["Alphabetic", "Ideographic", "Phonetic"];
                    for (var i = 0; i < Math.Min(groups.Length, names.Length); i++)
                    {
                        if (groups[i].Length > 0)
                            writer.WriteString(names[i], groups[i]);
                    }
                    writer.WriteEndObject();
                }
                writer.WriteEndArray();
                return;
            case DicomVR.IS or DicomVR.DS:
                // F.2.3: IS and DS are JSON numbers.
                writer.WriteStartArray("Value");
                foreach (var value in element.GetValues(characterSet))
                {
                    if (decimal.TryParse(value.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var number))
                        writer.WriteNumberValue(number);
                    else
                        writer.WriteNullValue();
                }
                writer.WriteEndArray();
                return;
            case DicomVR.US or DicomVR.SS or DicomVR.UL or DicomVR.SL or DicomVR.SV or DicomVR.UV:
                writer.WriteStartArray("Value");
                foreach (var number in element.GetIntegers())
                    writer.WriteNumberValue(number);
                writer.WriteEndArray();
                return;
            case DicomVR.AT:
                // F.2.3: attribute tags as "GGGGEEEE".
                writer.WriteStartArray("Value");
                foreach (var value in element.GetValues(characterSet))
                    writer.WriteStringValue(value.Replace("(", "", StringComparison.Ordinal).Replace(",", "", StringComparison.Ordinal).Replace(")", "", StringComparison.Ordinal));
                writer.WriteEndArray();
                return;
            case DicomVR.FL or DicomVR.FD:
                writer.WriteStartArray("Value");
                foreach (var number in element.GetDoubles())
                {
                    if (double.IsFinite(number))
                        writer.WriteNumberValue(number);
                    else
                        writer.WriteNullValue();
                }
                writer.WriteEndArray();
                return;
            default:
                writer.WriteStartArray("Value");
                foreach (var value in element.GetValues(characterSet))
                {
                    if (value.Length == 0)
                        writer.WriteNullValue();
                    else
                        writer.WriteStringValue(value);
                }
                writer.WriteEndArray();
                return;
        }
    }
}

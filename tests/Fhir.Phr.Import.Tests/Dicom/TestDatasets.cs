using System.Text;
using Fhir.Phr.Import.Dicom;

namespace Fhir.Phr.Import.Tests.Dicom;

internal static class TestDatasets
{
    /// <summary>A data set of text elements, each padded to even length as PS3.5 §7.1.1 requires.</summary>
    internal static DicomDataset Text(params (DicomTag Tag, DicomVR VR, string Value)[] elements)
    {
        var dataset = new DicomDataset();
        foreach (var (tag, vr, value) in elements)
        {
            var bytes = Encoding.UTF8.GetBytes(value.Length % 2 == 1 ? value + (vr == DicomVR.UI ? "\0" : " ") : value);
            dataset.Add(new DicomElement(tag, vr, bytes, isBigEndian: false));
        }

        return dataset;
    }

    /// <summary>A minimal instance; <paramref name="more"/> comes first so it overrides the defaults (a repeated tag keeps its first value).</summary>
    internal static DicomDataset Instance(string study, string series, string sop, string modality = "CT", params (DicomTag Tag, DicomVR VR, string Value)[] more) =>
        Text(
        [
            .. more,
            (DicomTag.SOPClassUID, DicomVR.UI, "1.2.840.10008.5.1.4.1.1.2"),
            (DicomTag.SOPInstanceUID, DicomVR.UI, sop),
            (DicomTag.Modality, DicomVR.CS, modality),
            (DicomTag.StudyInstanceUID, DicomVR.UI, study),
            (DicomTag.SeriesInstanceUID, DicomVR.UI, series),
        ]);
}

#:package PdfPig
// Writes the synthetic PDF, PNG and JPEG samples of this folder. Run from the repository root:
//   dotnet run sample-data/documents/generate-samples.cs
// Every name, identifier and date is invented. The output is deterministic, so running it again changes no file.
using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

var folder = Path.Combine("sample-data", "documents");

Pdf("discharge-summary.pdf", null, null,
[
    [
        "St. Elsewhere General Hospital",
        "DISCHARGE SUMMARY",
        "Patient Name: Okafor, Adaeze",
        "MRN: 4471203",
        "Date of Birth: 14/02/1961",
        "Admission Date: 02/03/2026",
        "Discharge Date: 09/03/2026",
        "Diagnosis: community acquired pneumonia",
        "Hospital course: treated with oral amoxicillin; afebrile after 48 hours.",
        "Discharge medications: amoxicillin 500 mg three times daily for 5 days.",
        "Follow-up: GP review in two weeks.",
    ],
]);
Pdf("lab-report.pdf", "Laboratory results", "D:20260308091500+01'00'",
[
    [
        "Northwind Clinical Laboratory",
        "LABORATORY REPORT",
        "Patient: Jonas Berg",
        "Patient ID: LAB-00981",
        "DOB: 1975-07-30",
        "Specimen collected: 2026-03-08",
        "Report Date: 2026-03-08",
        "Test            Result    Units     Reference range",
        "Sodium          139       mmol/L    135-145",
        "Potassium       3.2       mmol/L    3.5-5.1   L",
        "Haemoglobin     141       g/L       130-170",
    ],
]);
Pdf("radiology-report.pdf", null, null,
[
    [
        "Department of Radiology",
        "RADIOLOGY REPORT",
        "Name: Maria Lopez",
        "Medical Record Number: RAD-552817",
        "Birth Date: 3 May 1990",
        "Exam date: 11 March 2026",
        "Examination: CT chest with contrast",
        "Findings: The lungs are clear. No pulmonary embolism.",
        "Impression: No acute cardiopulmonary disease.",
    ],
]);
Pdf("prescription.pdf", null, null,
[
    [
        "Dr. Helen Carter, General Practice",
        "PRESCRIPTION",
        "Patient: Tomasz Nowak",
        "Patient ID: 88213",
        "DOB: 21.09.1948",
        "Date: 12.03.2026",
        "Rx: Atorvastatin 20 mg tablets, 28 tablets",
        "Sig: take one tablet at night",
        "Refills: 2",
    ],
]);
Pdf("progress-note-two-pages.pdf", "Clinic visit", null,
[
    [
        "Riverside Family Practice",
        "PROGRESS NOTE",
        "Patient Name: Chen, Wei",
        "MRN: 300517",
        "DOB: 1988-11-02",
        "Date of Service: 2026-02-20",
        "Subjective: cough for one week, no fever.",
    ],
    [
        "Objective: chest clear, saturation 98 percent.",
        "Assessment: viral upper respiratory infection.",
        "Plan: fluids, rest, review if not better in one week.",
    ],
]);
Pdf("scanned-no-text.pdf", "Referral letter", "D:20260301120000Z", [[]]);
File.WriteAllBytes(Path.Combine(folder, "scan-discharge-summary.jpg"), Jpeg("Discharge summary, page 1", "2026:03:09 10:12:00"));
File.WriteAllBytes(Path.Combine(folder, "scan-lab-report.png"), Png([("Title", "Lab report"), ("Creation Time", "2026-03-08T09:30:00Z")], new DateTime(2026, 3, 8, 9, 31, 0)));
File.WriteAllBytes(Path.Combine(folder, "IMG_0001.png"), Png([], null));

void Pdf(string name, string? title, string? created, string[][] pages)
{
    var builder = new PdfDocumentBuilder();
    builder.IncludeDocumentInformation = title is not null || created is not null;
    builder.DocumentInformation.Title = title;
    builder.DocumentInformation.CreationDate = created;
    builder.DocumentInformation.Producer = "Fhir.Phr sample generator";
    var font = builder.AddStandard14Font(Standard14Font.Helvetica);
    foreach (var lines in pages)
    {
        var page = builder.AddPage(PageSize.A4);
        var y = 780.0;
        foreach (var line in lines)
        {
            page.AddText(line, 11, new PdfPoint(50, y), font);
            y -= 18;
        }

        if (lines.Length == 0)
        {
            // A scanned page: a grey block where the image would be, and no text.
            page.SetTextAndFillColor(200, 200, 200);
            page.DrawRectangle(new PdfPoint(50, 300), 495, 480, 1, fill: true);
        }
    }

    // The builder writes a random trailer /ID; one derived from the name keeps the file the same on every run (same length,
    // so no offset moves).
    var pdf = Encoding.Latin1.GetString(builder.Build());
    var id = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..32];
    pdf = Regex.Replace(pdf, "/ID \\[ <[0-9A-F]{32}><[0-9A-F]{32}>\\]", $"/ID [ <{id}><{id}>]");
    File.WriteAllBytes(Path.Combine(folder, name), Encoding.Latin1.GetBytes(pdf));
}

// A baseline JPEG of one 8x8 mid-grey block: DC difference 0 and end-of-block, each coded with a one-bit Huffman code.
static byte[] Jpeg(string description, string dateTime)
{
    var jpeg = new MemoryStream();
    jpeg.Write([0xFF, 0xD8]);
    Segment(jpeg, 0xE1, [.. "Exif\0\0"u8, .. Exif(description, dateTime)]);
    Segment(jpeg, 0xFE, Encoding.ASCII.GetBytes("synthetic scan, Fhir.Phr sample data"));
    Segment(jpeg, 0xDB, [0x00, .. Enumerable.Repeat((byte)1, 64)]);
    Segment(jpeg, 0xC0, [8, 0, 8, 0, 8, 1, 1, 0x11, 0]);
    Segment(jpeg, 0xC4, [0x00, 1, .. new byte[15], 0x00]);
    Segment(jpeg, 0xC4, [0x10, 1, .. new byte[15], 0x00]);
    Segment(jpeg, 0xDA, [1, 1, 0x00, 0, 63, 0]);
    jpeg.Write([0x3F, 0xFF, 0xD9]);
    return jpeg.ToArray();

    static void Segment(Stream output, byte marker, byte[] payload)
    {
        output.Write([0xFF, marker, (byte)((payload.Length + 2) >> 8), (byte)(payload.Length + 2)]);
        output.Write(payload);
    }
}

// A big-endian TIFF block with IFD0 (ImageDescription, DateTime, Exif IFD pointer) and an Exif IFD (DateTimeOriginal).
static byte[] Exif(string description, string dateTime)
{
    var descriptionBytes = Encoding.ASCII.GetBytes(description + "\0");
    var dateBytes = Encoding.ASCII.GetBytes(dateTime + "\0");
    const int ifd0 = 8;
    const int ifd0Size = 2 + (3 * 12) + 4;
    const int exifIfd = ifd0 + ifd0Size;
    const int exifIfdSize = 2 + 12 + 4;
    var data = exifIfd + exifIfdSize;
    var tiff = new byte[data + descriptionBytes.Length + (2 * dateBytes.Length)];
    "MM"u8.CopyTo(tiff);
    BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(2), 42);
    BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(4), ifd0);
    BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(ifd0), 3);
    Entry(tiff, ifd0 + 2, 0x010E, 2, descriptionBytes.Length, data);
    Entry(tiff, ifd0 + 14, 0x0132, 2, dateBytes.Length, data + descriptionBytes.Length);
    Entry(tiff, ifd0 + 26, 0x8769, 4, 1, exifIfd);
    BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(exifIfd), 1);
    Entry(tiff, exifIfd + 2, 0x9003, 2, dateBytes.Length, data + descriptionBytes.Length + dateBytes.Length);
    descriptionBytes.CopyTo(tiff, data);
    dateBytes.CopyTo(tiff, data + descriptionBytes.Length);
    dateBytes.CopyTo(tiff, data + descriptionBytes.Length + dateBytes.Length);
    return tiff;

    static void Entry(byte[] tiff, int at, ushort tag, ushort type, int count, int value)
    {
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at), tag);
        BinaryPrimitives.WriteUInt16BigEndian(tiff.AsSpan(at + 2), type);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at + 4), (uint)count);
        BinaryPrimitives.WriteUInt32BigEndian(tiff.AsSpan(at + 8), (uint)value);
    }
}

// A 1x1 grey PNG with optional tEXt chunks and a tIME chunk.
static byte[] Png((string Key, string Value)[] texts, DateTime? modified)
{
    var png = new MemoryStream();
    png.Write([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]);
    Chunk(png, "IHDR", [0, 0, 0, 1, 0, 0, 0, 1, 8, 0, 0, 0, 0]);
    foreach (var (key, value) in texts)
    {
        Chunk(png, "tEXt", [.. Encoding.Latin1.GetBytes(key), 0, .. Encoding.Latin1.GetBytes(value)]);
    }

    if (modified is { } time)
    {
        Chunk(png, "tIME", [(byte)(time.Year >> 8), (byte)time.Year, (byte)time.Month, (byte)time.Day, (byte)time.Hour, (byte)time.Minute, (byte)time.Second]);
    }

    var pixels = new MemoryStream();
    using (var zlib = new ZLibStream(pixels, CompressionLevel.SmallestSize, leaveOpen: true))
    {
        zlib.Write([0, 0x80]);
    }

    Chunk(png, "IDAT", pixels.ToArray());
    Chunk(png, "IEND", []);
    return png.ToArray();

    static void Chunk(Stream output, string type, byte[] payload)
    {
        var header = new byte[8];
        BinaryPrimitives.WriteUInt32BigEndian(header, (uint)payload.Length);
        Encoding.ASCII.GetBytes(type).CopyTo(header, 4);
        output.Write(header);
        output.Write(payload);
        var crc = new byte[4];
        BinaryPrimitives.WriteUInt32BigEndian(crc, Crc32([.. header[4..], .. payload]));
        output.Write(crc);
    }

    static uint Crc32(byte[] bytes)
    {
        var crc = 0xFFFFFFFFu;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (var k = 0; k < 8; k++)
            {
                crc = (crc & 1) != 0 ? 0xEDB88320u ^ (crc >> 1) : crc >> 1;
            }
        }

        return ~crc;
    }
}

using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace Fhir.Phr.Import.Documents;

/// <summary>
/// The little a scan says about itself: PNG tEXt/iTXt (Title, Description, Creation Time) and tIME chunks (PNG 1.2, 11.3), JPEG
/// COM segments and the EXIF ImageDescription, DateTime and DateTimeOriginal tags (EXIF 2.32). Every offset is checked against
/// the data, so a damaged file yields less metadata and an issue, never an exception.
/// </summary>
internal static class ImageMetadata
{
    public static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    public static (string? Title, DateOnly? Created, bool Damaged) ReadPng(ReadOnlySpan<byte> png)
    {
        string? title = null;
        DateOnly? created = null;
        var position = PngSignature.Length;
        while (position + 12 <= png.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(png[position..]);
            if (length > (uint)(png.Length - position - 12))
            {
                return (title, created, true);
            }

            var type = Encoding.ASCII.GetString(png.Slice(position + 4, 4));
            var data = png.Slice(position + 8, (int)length);
            switch (type)
            {
                case "tEXt" when data.IndexOf((byte)0) is > 0 and var zero:
                    Text(Encoding.Latin1.GetString(data[..zero]), Encoding.Latin1.GetString(data[(zero + 1)..]), ref title, ref created);
                    break;
                case "iTXt" when ReadInternationalText(data) is { } text:
                    Text(text.Key, text.Value, ref title, ref created);
                    break;
                case "tIME" when data.Length == 7 && created is null:
                    created = Date(BinaryPrimitives.ReadUInt16BigEndian(data), data[2], data[3]);
                    break;
                case "IEND":
                    return (title, created, false);
            }

            position += 12 + (int)length;
        }

        return (title, created, true);
    }

    public static (string? Title, DateOnly? Created, bool Damaged) ReadJpeg(ReadOnlySpan<byte> jpeg)
    {
        string? title = null;
        string? comment = null;
        DateOnly? created = null;
        var position = 2;
        while (position + 4 <= jpeg.Length)
        {
            if (jpeg[position] != 0xFF)
            {
                return (title ?? comment, created, true);
            }

            var marker = jpeg[position + 1];
            if (marker is 0xD9 or 0xDA)
            {
                // End of image or start of scan: the metadata segments come before the image data.
                return (title ?? comment, created, false);
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(position + 2)..]);
            if (length < 2 || position + 2 + length > jpeg.Length)
            {
                return (title ?? comment, created, true);
            }

            var payload = jpeg.Slice(position + 4, length - 2);
            if (marker == 0xE1 && payload.StartsWith("Exif\0\0"u8))
            {
                var (description, taken) = ReadExif(payload[6..]);
                title ??= description;
                created ??= taken;
            }
            else if (marker == 0xFE)
            {
                comment ??= Clean(Encoding.Latin1.GetString(payload));
            }

            position += 2 + length;
        }

        return (title ?? comment, created, true);
    }

    private static void Text(string key, string value, ref string? title, ref DateOnly? created)
    {
        switch (key)
        {
            case "Title" or "Description" when title is null:
                title = Clean(value);
                break;
            case "Creation Time" when DateTimeOffset.TryParse(value.Trim(), CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var time):
                created = DateOnly.FromDateTime(time.UtcDateTime);
                break;
        }
    }

    /// <summary>iTXt: keyword, NUL, compression flag, method, language tag, NUL, translated keyword, NUL, UTF-8 text (uncompressed only).</summary>
    private static (string Key, string Value)? ReadInternationalText(ReadOnlySpan<byte> data)
    {
        var zero = data.IndexOf((byte)0);
        if (zero <= 0 || zero + 3 > data.Length || data[zero + 1] != 0)
        {
            return null;
        }

        var rest = data[(zero + 3)..];
        var language = rest.IndexOf((byte)0);
        if (language < 0)
        {
            return null;
        }

        rest = rest[(language + 1)..];
        var translated = rest.IndexOf((byte)0);
        return translated < 0 ? null : (Encoding.Latin1.GetString(data[..zero]), Encoding.UTF8.GetString(rest[(translated + 1)..]));
    }

    /// <summary>A TIFF structure (EXIF 2.32 section 4.5): IFD0's ImageDescription and DateTime, the EXIF IFD's DateTimeOriginal.</summary>
    private static (string? Description, DateOnly? Taken) ReadExif(ReadOnlySpan<byte> tiff)
    {
        if (tiff.Length < 8 || !(tiff.StartsWith("II"u8) || tiff.StartsWith("MM"u8)))
        {
            return (null, null);
        }

        var little = tiff[0] == (byte)'I';
        string? description = null;
        string? modified = null;
        string? original = null;
        var exifIfd = 0u;
        foreach (var (tag, value) in Entries(tiff, Read32(tiff, 4, little), little))
        {
            switch (tag)
            {
                case 0x010E:
                    description = Ascii(tiff, value, little);
                    break;
                case 0x0132:
                    modified = Ascii(tiff, value, little);
                    break;
                case 0x8769:
                    exifIfd = Read32(tiff, value + 8, little);
                    break;
            }
        }

        if (exifIfd > 0)
        {
            foreach (var (tag, value) in Entries(tiff, exifIfd, little))
            {
                if (tag == 0x9003)
                {
                    original = Ascii(tiff, value, little);
                }
            }
        }

        return (description is null ? null : Clean(description), ExifDate(original) ?? ExifDate(modified));
    }

    /// <summary>The entries of one IFD as (tag, offset of the entry); at most 256, so a looping or huge IFD ends.</summary>
    private static List<(ushort Tag, int Entry)> Entries(ReadOnlySpan<byte> tiff, uint offset, bool little)
    {
        var entries = new List<(ushort, int)>();
        if (offset > (uint)(tiff.Length - 2))
        {
            return entries;
        }

        var count = Math.Min(Read16(tiff, (int)offset, little), (ushort)256);
        for (var i = 0; i < count; i++)
        {
            var entry = (int)offset + 2 + (12 * i);
            if (entry + 12 > tiff.Length)
            {
                break;
            }

            entries.Add((Read16(tiff, entry, little), entry));
        }

        return entries;
    }

    /// <summary>An ASCII value (type 2): inline when it fits in four bytes, else at the offset the entry gives.</summary>
    private static string? Ascii(ReadOnlySpan<byte> tiff, int entry, bool little)
    {
        if (Read16(tiff, entry + 2, little) != 2)
        {
            return null;
        }

        var count = Read32(tiff, entry + 4, little);
        var start = count <= 4 ? (uint)(entry + 8) : Read32(tiff, entry + 8, little);
        if (count == 0 || start > (uint)tiff.Length || count > (uint)tiff.Length - start)
        {
            return null;
        }

        return Encoding.ASCII.GetString(tiff.Slice((int)start, (int)count)).TrimEnd('\0');
    }

    /// <summary>EXIF dates are "YYYY:MM:DD HH:MM:SS" in the camera's local time, which EXIF does not name; the day is what is kept.</summary>
    private static DateOnly? ExifDate(string? value) =>
        value is { Length: >= 10 } && int.TryParse(value.AsSpan(0, 4), NumberStyles.None, CultureInfo.InvariantCulture, out var year)
            && int.TryParse(value.AsSpan(5, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var month)
            && int.TryParse(value.AsSpan(8, 2), NumberStyles.None, CultureInfo.InvariantCulture, out var day)
            ? Date(year, month, day)
            : null;

    private static DateOnly? Date(int year, int month, int day) =>
        year is >= 1 and <= 9999 && month is >= 1 and <= 12 && day >= 1 && day <= DateTime.DaysInMonth(year, month) ? new DateOnly(year, month, day) : null;

    private static string? Clean(string value) =>
        new string(value.Where(c => !char.IsControl(c)).ToArray()).Trim() is { Length: > 0 } clean ? clean : null;

    private static ushort Read16(ReadOnlySpan<byte> tiff, int at, bool little) =>
        at < 0 || at + 2 > tiff.Length ? (ushort)0 : little ? BinaryPrimitives.ReadUInt16LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt16BigEndian(tiff[at..]);

    private static uint Read32(ReadOnlySpan<byte> tiff, int at, bool little) =>
        at < 0 || at + 4 > tiff.Length ? 0 : little ? BinaryPrimitives.ReadUInt32LittleEndian(tiff[at..]) : BinaryPrimitives.ReadUInt32BigEndian(tiff[at..]);

    private static uint Read32(ReadOnlySpan<byte> tiff, uint at, bool little) => at > int.MaxValue ? 0 : Read32(tiff, (int)at, little);
}

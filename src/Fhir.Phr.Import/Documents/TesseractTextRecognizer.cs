using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Fhir.Phr.Import.Documents;

/// <summary>
/// OCR by the tesseract program (Debian's tesseract-ocr 5 with tesseract-ocr-eng), one child process per image: the image on
/// stdin, its words with their confidence as TSV on stdout. No shell is involved. A process that outlives <see cref="Timeout"/>
/// is killed with its children; a non-zero exit is a failure that quotes tesseract's own error.
/// </summary>
public sealed class TesseractTextRecognizer : ITextRecognizer
{
    public const string ProgramName = "tesseract";

    public TesseractTextRecognizer(string executable)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(executable);
        Executable = executable;
    }

    /// <summary>The tesseract executable: a path, or a bare name the operating system looks up on PATH.</summary>
    public string Executable { get; }

    /// <summary>Tesseract's language codes, e.g. "eng" or "eng+deu"; each needs its tesseract-ocr-LANG package.</summary>
    public string Language { get; init; } = "eng";

    /// <summary>How long one image may take; a typed page takes one to two seconds on one core.</summary>
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Larger images are not read: a page scanned at 300 dpi compresses to a few MiB.</summary>
    public int MaxImageBytes { get; init; } = 32 * 1024 * 1024;

    /// <summary>A recognizer for the tesseract found on PATH, or null when there is none.</summary>
    public static TesseractTextRecognizer? TryFind() => FindOnPath() is { } path ? new TesseractTextRecognizer(path) : null;

    /// <summary>The full path of the first executable tesseract on PATH, or null.</summary>
    public static string? FindOnPath()
    {
        var name = OperatingSystem.IsWindows() ? ProgramName + ".exe" : ProgramName;
        foreach (var folder in (Environment.GetEnvironmentVariable("PATH") ?? string.Empty).Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.GetFullPath(Path.Combine(folder, name));
            if (File.Exists(candidate) && (OperatingSystem.IsWindows() || (File.GetUnixFileMode(candidate) & (UnixFileMode.UserExecute | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute)) != 0))
            {
                return candidate;
            }
        }

        return null;
    }

    public RecognizedText? Recognize(ReadOnlyMemory<byte> image, string contentType, out string? failure)
    {
        if (image.Length > MaxImageBytes)
        {
            failure = $"the image is {image.Length} bytes; OCR reads at most {MaxImageBytes}";
            return null;
        }

        // Tesseract takes stdin that is no image format it knows for a list of file names, one a line, and reads those files:
        // only bytes that open with an image signature are passed on, so a crafted upload cannot make it read the server's files.
        if (!IsImage(image.Span))
        {
            failure = $"the bytes are no PNG, JPEG or JPEG 2000 image (given as {contentType})";
            return null;
        }

        var tsv = Run(image, out failure);
        if (tsv is null)
        {
            return null;
        }

        var text = ParseTsv(tsv);
        failure = text is null ? $"{Executable} wrote no TSV; is it tesseract 4 or later?" : null;
        return text;
    }

    private string? Run(ReadOnlyMemory<byte> image, out string? failure)
    {
        var start = new ProcessStartInfo(Executable)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        // --psm 4, one column of text of varying sizes: a report's "Label: value" rows stay rows, where automatic layout
        // analysis (3) may split a row's label and value into separate blocks, and 6 expects text of one size.
        foreach (var argument in new[] { "stdin", "stdout", "-l", Language, "--psm", "4", "tsv" })
        {
            start.ArgumentList.Add(argument);
        }

        // One thread per image: OCR runs in background jobs beside the server's requests, and on a busy machine tesseract's
        // OpenMP threads spin against each other; one thread was three times faster here (docs/benchmarks.md, issue #5 OCR).
        start.Environment["OMP_THREAD_LIMIT"] = "1";
        using var process = new Process { StartInfo = start };
        try
        {
            process.Start();
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException)
        {
            failure = $"{Executable} could not be started: {e.Message}";
            return null;
        }

        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        var input = WriteAsync(process.StandardInput.BaseStream, image);
        if (!process.WaitForExit(Timeout))
        {
            Kill(process);
            Task.WaitAll(input, output, errors);
            failure = string.Create(CultureInfo.InvariantCulture, $"tesseract took longer than {Timeout.TotalSeconds:0.###} s and was stopped");
            return null;
        }

        Task.WaitAll(input, output, errors);
        if (process.ExitCode != 0)
        {
            failure = $"tesseract exited with code {process.ExitCode}: {LastLines(errors.Result)}";
            return null;
        }

        failure = null;
        return output.Result;
    }

    private static async Task WriteAsync(Stream input, ReadOnlyMemory<byte> image)
    {
        try
        {
            await input.WriteAsync(image);
            await input.DisposeAsync();
        }
        catch (IOException)
        {
            // Tesseract stopped reading (it failed, or was stopped); its exit code says why.
        }
    }

    private static void Kill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // It ended between the timeout and the kill.
        }

        process.WaitForExit();
    }

    private static string LastLines(string errors)
    {
        var lines = errors.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        var last = string.Join(" / ", lines.TakeLast(3));
        return last.Length == 0 ? "no message" : last.Length > 300 ? last[..300] + "..." : last;
    }

    private static bool IsImage(ReadOnlySpan<byte> bytes) =>
        bytes.StartsWith(ImageMetadata.PngSignature)
        || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0x00, 0x00, 0x00, 0x0C, 0x6A, 0x50, 0x20, 0x20, 0x0D, 0x0A, 0x87, 0x0A])
        || bytes.StartsWith((ReadOnlySpan<byte>)[0xFF, 0x4F, 0xFF, 0x51]);

    /// <summary>
    /// Tesseract's TSV (one row per page, block, paragraph, line and word) to lines of words. Words on one line are joined by a
    /// space, or by two where the gap is wider than two characters (a column gap, which the analyzer reads as the end of a
    /// field, as in typed text). Null when the output is no TSV at all.
    /// </summary>
    internal static RecognizedText? ParseTsv(string tsv)
    {
        var rows = tsv.Split('\n');
        if (!rows[0].StartsWith("level\t", StringComparison.Ordinal))
        {
            return null;
        }

        var text = new StringBuilder();
        string? line = null;
        var previousRight = 0;
        var previousCharWidth = 0.0;
        var confidence = 0.0;
        var words = 0;
        foreach (var row in rows.Skip(1))
        {
            var cells = row.TrimEnd('\r').Split('\t');
            if (cells is not ["5", var page, var block, var paragraph, var number, _, var leftText, _, var widthText, _, var confidenceText, var word, ..]
                || string.IsNullOrWhiteSpace(word)
                || !int.TryParse(leftText, CultureInfo.InvariantCulture, out var left)
                || !int.TryParse(widthText, CultureInfo.InvariantCulture, out var width)
                || !double.TryParse(confidenceText, CultureInfo.InvariantCulture, out var wordConfidence)
                || wordConfidence < 0)
            {
                continue;
            }

            word = word.Trim();
            var key = $"{page}/{block}/{paragraph}/{number}";
            if (key != line)
            {
                text.Append(text.Length == 0 ? string.Empty : "\n");
                line = key;
            }
            else
            {
                text.Append(left - previousRight > 2 * previousCharWidth ? "  " : " ");
            }

            text.Append(word);
            previousRight = left + width;
            previousCharWidth = width / (double)word.Length;
            confidence += Math.Clamp(wordConfidence, 0, 100) / 100;
            words++;
        }

        return new RecognizedText(text.ToString(), words == 0 ? 0m : Math.Round((decimal)(confidence / words), 2));
    }
}

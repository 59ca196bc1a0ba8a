using System.Diagnostics;
using System.Text;

namespace Fhir.Phr.Import.Tests.Dicom;

/// <summary>Locates the pydicom test corpus (Debian python3-pydicom) and runs dcmtk (Debian dcmtk).</summary>
internal static class DicomCorpus
{
    private static readonly string[] Roots =
    [
        "/usr/lib/python3/dist-packages/pydicom/data",
        "/usr/share/python3-pydicom/data",
    ];

    internal static string DataRoot =>
        Roots.FirstOrDefault(Directory.Exists)
        ?? throw new InvalidOperationException("pydicom test files not found: apt-get install -y python3-pydicom dcmtk");

    internal static string TestFiles => Path.Combine(DataRoot, "test_files");

    internal static string CharsetFiles => Path.Combine(DataRoot, "charset_files");

    /// <summary>Every file of test_files and charset_files, relative to the data root, DICOM or not.</summary>
    internal static IEnumerable<string> AllFiles() =>
        Directory.EnumerateFiles(DataRoot, "*", SearchOption.AllDirectories)
            .Where(f => f.StartsWith(TestFiles, StringComparison.Ordinal) || f.StartsWith(CharsetFiles, StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(DataRoot, f))
            .Order(StringComparer.Ordinal);

    internal static string Full(string relative) => Path.Combine(DataRoot, relative);

    internal static ToolResult Run(string tool, params string[] arguments)
    {
        var start = new ProcessStartInfo(tool)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.Latin1,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        using var process = Process.Start(start) ?? throw new InvalidOperationException($"{tool} did not start");
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        return new ToolResult(process.ExitCode, stdout, stderr.Result);
    }

    internal static void RunChecked(string tool, params string[] arguments)
    {
        var result = Run(tool, arguments);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException($"{tool} {string.Join(' ', arguments)} failed ({result.ExitCode}): {result.Stderr}");
        }
    }

    internal sealed record ToolResult(int ExitCode, string Stdout, string Stderr);
}

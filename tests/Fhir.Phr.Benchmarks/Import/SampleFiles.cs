namespace Fhir.Phr.Benchmarks.Import;

/// <summary>Files of the repository's sample-data/ folder, wherever BenchmarkDotNet runs the benchmark from.</summary>
internal static class SampleFiles
{
    public static byte[] Read(string folder, string file)
    {
        // BenchmarkDotNet runs a generated copy of this project from a folder below ours, so the samples are looked up upwards.
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !Directory.Exists(Path.Combine(directory.FullName, "sample-data", folder)))
        {
            directory = directory.Parent;
        }

        if (directory is null)
        {
            throw new DirectoryNotFoundException($"sample-data/{folder} was not found above {AppContext.BaseDirectory}");
        }

        return File.ReadAllBytes(Path.Combine(directory.FullName, "sample-data", folder, file));
    }
}

namespace Fhir.Phr.Protection.Tests;

public sealed class MasterKeyTests
{
    [Fact]
    public void LoadOrCreate_CreatesOwnerOnlyFile_AndLoadsSameKeyAgain()
    {
        var path = Path.Combine(Path.GetTempPath(), "phr-key-" + Guid.NewGuid().ToString("N"), "master.key");

        var first = MasterKey.LoadOrCreate(path);
        var second = MasterKey.LoadOrCreate(path);

        Assert.Equal(32, new FileInfo(path).Length);
        Assert.Equal(first.Derive("x"), second.Derive("x"));
        if (!OperatingSystem.IsWindows())
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }

    [Fact]
    public void LoadOrCreate_WithTruncatedFile_FailsClearly()
    {
        var path = Path.Combine(Path.GetTempPath(), "phr-key-" + Guid.NewGuid().ToString("N"));
        File.WriteAllBytes(path, new byte[5]);

        var error = Assert.Throws<InvalidOperationException>(() => MasterKey.LoadOrCreate(path));

        Assert.Contains("5 bytes", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Derive_SeparatesPurposes()
    {
        var key = MasterKey.FromBytes(new byte[32]);

        Assert.NotEqual(key.Derive("a"), key.Derive("b"));
    }
}

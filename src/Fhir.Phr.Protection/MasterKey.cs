using System.Security.Cryptography;

namespace Fhir.Phr.Protection;

/// <summary>
/// The server master key: 32 random bytes kept outside the database (a file next to it, or
/// later a KMS), from which every payload and blind-index key is derived with HKDF.
/// </summary>
public sealed class MasterKey
{
    private const int KeyLength = 32;
    private readonly byte[] _key;

    private MasterKey(byte[] key) => _key = key;

    public static MasterKey FromBytes(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeyLength)
            throw new ArgumentException($"A master key is {KeyLength} bytes, not {key.Length}.", nameof(key));
        return new MasterKey(key.ToArray());
    }

    /// <summary>Reads the key file, or creates it with fresh random bytes and mode 0600.</summary>
    public static MasterKey LoadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            var bytes = File.ReadAllBytes(path);
            if (bytes.Length != KeyLength)
                throw new InvalidOperationException($"Master key file '{path}' holds {bytes.Length} bytes; expected {KeyLength}.");
            return new MasterKey(bytes);
        }

        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var key = RandomNumberGenerator.GetBytes(KeyLength);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        using (var stream = new FileStream(path, options))
            stream.Write(key);
        return new MasterKey(key);
    }

    /// <summary>HKDF-SHA256 sub-key for one purpose; the purpose string separates key domains.</summary>
    public byte[] Derive(string purpose, int length = KeyLength) =>
        HKDF.DeriveKey(HashAlgorithmName.SHA256, _key, length, info: System.Text.Encoding.UTF8.GetBytes(purpose));
}

using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.IdentityModel.Tokens;

namespace Fhir.Phr.Server.Smart;

/// <summary>
/// The authorization server's keys: an RSA-2048 key that signs every token (RS256, what OpenID
/// Connect and Inferno expect of id_tokens) and an AES-256 key that encrypts access tokens,
/// codes and refresh tokens (A256KW + A256CBC-HS512; only this server reads them, and symmetric
/// decryption keeps validation on the request path cheap). Generated on first start into a file
/// of mode 0600 so that restarts and other nodes sharing the data directory keep accepting
/// tokens; never OpenIddict's development certificates.
/// </summary>
internal sealed class SmartKeys
{
    private SmartKeys(RsaSecurityKey signing, SymmetricSecurityKey encryption)
    {
        Signing = signing;
        Encryption = encryption;
    }

    public RsaSecurityKey Signing { get; }

    public SymmetricSecurityKey Encryption { get; }

    public static SmartKeys LoadOrCreate(string path)
    {
        if (!File.Exists(path))
        {
            using var rsa = RSA.Create(2048);
            var created = new KeyFile(
                Convert.ToBase64String(RandomNumberGenerator.GetBytes(12)).TrimEnd('=').Replace('+', '-').Replace('/', '_'),
                Convert.ToBase64String(rsa.ExportPkcs8PrivateKey()),
                Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)));
            // Another node may win the race to create it; then its keys are the ones to use.
            SecretFile.TryCreate(path, JsonSerializer.SerializeToUtf8Bytes(created, KeyFileJson.Default.KeyFile));
        }

        var file = JsonSerializer.Deserialize(File.ReadAllBytes(path), KeyFileJson.Default.KeyFile)
            ?? throw new InvalidOperationException($"The key file '{path}' is empty.");
        var signingKey = RSA.Create();
        signingKey.ImportPkcs8PrivateKey(Convert.FromBase64String(file.SigningKey), out _);
        var encryption = Convert.FromBase64String(file.EncryptionKey);
        if (encryption.Length != 32)
            throw new InvalidOperationException($"The encryption key in '{path}' is {encryption.Length} bytes; expected 32.");
        return new SmartKeys(
            new RsaSecurityKey(signingKey) { KeyId = file.KeyId },
            new SymmetricSecurityKey(encryption) { KeyId = file.KeyId + "-enc" });
    }

    internal sealed record KeyFile(
        [property: JsonPropertyName("kid")] string KeyId,
        [property: JsonPropertyName("signing_key_pkcs8")] string SigningKey,
        [property: JsonPropertyName("encryption_key")] string EncryptionKey);
}

[JsonSerializable(typeof(SmartKeys.KeyFile))]
internal sealed partial class KeyFileJson : JsonSerializerContext;

/// <summary>Files that hold secrets: created once, readable by the server's user only.</summary>
internal static class SecretFile
{
    /// <summary>Writes a new file with mode 0600; false when it already exists.</summary>
    public static bool TryCreate(string path, ReadOnlySpan<byte> content)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        try
        {
            using var stream = new FileStream(path, options);
            stream.Write(content);
            return true;
        }
        catch (IOException) when (File.Exists(path))
        {
            return false;
        }
    }
}

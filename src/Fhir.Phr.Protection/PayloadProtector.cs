using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Protection;

/// <summary>
/// Encrypts stored resource payloads with AES-256-GCM. Each (type, id, version) gets its own
/// key derived from the envelope key, and the same triple is the associated data, so a row
/// copied onto another resource or version fails authentication instead of decrypting.
/// The envelope key comes from the master key today; the ABE issue (#3) replaces only where
/// that envelope key comes from (an ABE-wrapped key per patient, policy and epoch).
/// </summary>
public sealed class PayloadProtector
{
    // Layout: [format 1 byte][nonce 12][tag 16][ciphertext].
    private const byte FormatAesGcmV1 = 1;
    private const byte FormatPlainForBenchmarks = 0;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + NonceLength + TagLength;

    private readonly byte[] _envelopeKey;
    private readonly bool _disabled;

    public PayloadProtector(MasterKey masterKey, ProtectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        ArgumentNullException.ThrowIfNull(options);
        _envelopeKey = masterKey.Derive("fhir.phr/payload-envelope/v1");
        _disabled = options.DisabledForBenchmarks;
    }

    public byte[] Protect(in PayloadContext context, ReadOnlySpan<byte> plaintext)
    {
        if (_disabled)
        {
            var plain = new byte[plaintext.Length + 1];
            plain[0] = FormatPlainForBenchmarks;
            plaintext.CopyTo(plain.AsSpan(1));
            return plain;
        }

        var output = new byte[HeaderLength + plaintext.Length];
        output[0] = FormatAesGcmV1;
        var nonce = output.AsSpan(1, NonceLength);
        RandomNumberGenerator.Fill(nonce);
        Span<byte> key = stackalloc byte[32];
        DeriveVersionKey(context, key);
        Span<byte> aad = stackalloc byte[AadLength(context)];
        WriteAad(context, aad);
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(HeaderLength), output.AsSpan(1 + NonceLength, TagLength), aad);
        CryptographicOperations.ZeroMemory(key);
        return output;
    }

    /// <summary>Decrypts a payload; throws <see cref="PayloadIntegrityException"/> when it was tampered with or moved.</summary>
    public byte[] Unprotect(in PayloadContext context, ReadOnlySpan<byte> stored)
    {
        if (stored.Length >= 1 && stored[0] == FormatPlainForBenchmarks)
        {
            if (!_disabled)
                throw new PayloadIntegrityException(context, "an unencrypted payload was found while protection is on");
            return stored[1..].ToArray();
        }

        if (stored.Length < HeaderLength || stored[0] != FormatAesGcmV1)
            throw new PayloadIntegrityException(context, "the payload header is not a known format");

        var plaintext = new byte[stored.Length - HeaderLength];
        Span<byte> key = stackalloc byte[32];
        DeriveVersionKey(context, key);
        Span<byte> aad = stackalloc byte[AadLength(context)];
        WriteAad(context, aad);
        using var gcm = new AesGcm(key, TagLength);
        try
        {
            gcm.Decrypt(stored.Slice(1, NonceLength), stored[HeaderLength..], stored.Slice(1 + NonceLength, TagLength), plaintext, aad);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new PayloadIntegrityException(context, "authentication failed");
        }
        finally
        {
            CryptographicOperations.ZeroMemory(key);
        }
        return plaintext;
    }

    private void DeriveVersionKey(in PayloadContext context, Span<byte> key)
    {
        Span<byte> info = stackalloc byte[AadLength(context)];
        WriteAad(context, info);
        HKDF.Expand(HashAlgorithmName.SHA256, _envelopeKey, key, info);
    }

    private static int AadLength(in PayloadContext c) =>
        4 + Encoding.UTF8.GetByteCount(c.ResourceType) + 4 + Encoding.UTF8.GetByteCount(c.ResourceId) + 4;

    // Length-prefixed so that ("ab","c") and ("a","bc") never share associated data.
    private static void WriteAad(in PayloadContext c, Span<byte> destination)
    {
        var offset = WriteString(destination, c.ResourceType);
        offset += WriteString(destination[offset..], c.ResourceId);
        BinaryPrimitives.WriteInt32BigEndian(destination[offset..], c.Version);
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var written = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, written);
        return 4 + written;
    }
}

/// <summary>What a payload is bound to: the resource type, id and version it was written as.</summary>
public readonly record struct PayloadContext(string ResourceType, string ResourceId, int Version);

public sealed class PayloadIntegrityException(PayloadContext context, string reason)
    : Exception($"Stored payload of {context.ResourceType}/{context.ResourceId}/_history/{context.Version} cannot be opened: {reason}.")
{
    public PayloadContext Context { get; } = context;
}

using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Fhir.Phr.Protection;

/// <summary>
/// Encrypts stored resource payloads with AES-256-GCM. Each (type, id, version) gets its own
/// key derived with HKDF from the data key of the record's <see cref="KeyEnvelope"/> (one
/// CP-ABE-wrapped key per patient record and epoch), and (type, id, version, envelope id) is
/// the associated data, so a row copied onto another resource, version or record fails
/// authentication instead of decrypting.
/// </summary>
public sealed class PayloadProtector
{
    // Layout: [format 1 byte][nonce 12][tag 16][ciphertext].
    private const byte FormatAesGcmV1 = 1;
    private const byte FormatPlainForBenchmarks = 0;
    private const int NonceLength = 12;
    private const int TagLength = 16;
    private const int HeaderLength = 1 + NonceLength + TagLength;

    private readonly bool _disabled;

    public PayloadProtector(ProtectionOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        _disabled = options.DisabledForBenchmarks;
    }

    /// <summary>Whether payloads are stored unencrypted (benchmarks only), so no data key is needed.</summary>
    public bool IsDisabled => _disabled;

    public byte[] Protect(in PayloadContext context, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> plaintext)
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
        DeriveVersionKey(context, dataKey, key);
        Span<byte> aad = stackalloc byte[AadLength(context)];
        WriteAad(context, aad);
        using var gcm = new AesGcm(key, TagLength);
        gcm.Encrypt(nonce, plaintext, output.AsSpan(HeaderLength), output.AsSpan(1 + NonceLength, TagLength), aad);
        CryptographicOperations.ZeroMemory(key);
        return output;
    }

    /// <summary>Decrypts a payload; throws <see cref="PayloadIntegrityException"/> when it was tampered with or moved.</summary>
    public byte[] Unprotect(in PayloadContext context, ReadOnlySpan<byte> dataKey, ReadOnlySpan<byte> stored)
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
        DeriveVersionKey(context, dataKey, key);
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

    private static void DeriveVersionKey(in PayloadContext context, ReadOnlySpan<byte> dataKey, Span<byte> key)
    {
        if (dataKey.Length != KeyEnvelope.DataKeyLength)
            throw new ArgumentException($"A data key is {KeyEnvelope.DataKeyLength} bytes.", nameof(dataKey));
        Span<byte> info = stackalloc byte[AadLength(context)];
        WriteAad(context, info);
        HKDF.Expand(HashAlgorithmName.SHA256, dataKey, key, info);
    }

    private static int AadLength(in PayloadContext c) =>
        4 + Encoding.UTF8.GetByteCount(c.ResourceType) + 4 + Encoding.UTF8.GetByteCount(c.ResourceId) + 4 + 8;

    // Length-prefixed so that ("ab","c") and ("a","bc") never share associated data.
    private static void WriteAad(in PayloadContext c, Span<byte> destination)
    {
        var offset = WriteString(destination, c.ResourceType);
        offset += WriteString(destination[offset..], c.ResourceId);
        BinaryPrimitives.WriteInt32BigEndian(destination[offset..], c.Version);
        BinaryPrimitives.WriteInt64BigEndian(destination[(offset + 4)..], c.EnvelopeId);
    }

    private static int WriteString(Span<byte> destination, string value)
    {
        var written = Encoding.UTF8.GetBytes(value, destination[4..]);
        BinaryPrimitives.WriteInt32BigEndian(destination, written);
        return 4 + written;
    }
}

/// <summary>What a payload is bound to: the resource type, id and version it was written as, and the key envelope of its record.</summary>
public readonly record struct PayloadContext(string ResourceType, string ResourceId, int Version, long EnvelopeId);

public sealed class PayloadIntegrityException(PayloadContext context, string reason)
    : Exception($"Stored payload of {context.ResourceType}/{context.ResourceId}/_history/{context.Version} cannot be opened: {reason}.")
{
    public PayloadContext Context { get; } = context;
}

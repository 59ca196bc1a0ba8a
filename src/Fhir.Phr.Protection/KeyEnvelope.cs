using System.Buffers.Binary;
using System.Security.Cryptography;
using Fhir.Phr.Abe;

namespace Fhir.Phr.Protection;

/// <summary>
/// A record's data key wrapped by CP-ABE: FAME encapsulates a fresh key under the record's
/// policy, and that key seals the data key with AES-256-GCM, the FAME ciphertext as associated
/// data. The data key itself never changes when the envelope is re-wrapped under a new policy
/// (revocation), so payloads are not re-encrypted. Layout:
/// [format 1][FAME ciphertext length u32][FAME ciphertext][nonce 12][tag 16][sealed data key 32].
/// </summary>
public static class KeyEnvelope
{
    public const int DataKeyLength = 32;
    private const byte FormatV1 = 1;

    /// <summary>A fresh random data key.</summary>
    public static byte[] NewDataKey() => RandomNumberGenerator.GetBytes(DataKeyLength);

    /// <summary>Wraps <paramref name="dataKey"/> under <paramref name="policy"/>.</summary>
    public static byte[] Seal(FamePublicKey publicKey, string policy, ReadOnlySpan<byte> dataKey)
    {
        if (dataKey.Length != DataKeyLength)
            throw new ArgumentException($"A data key is {DataKeyLength} bytes.", nameof(dataKey));
        var (kemKey, ciphertext) = Fame.Encrypt(publicKey, policy);
        var header = ciphertext.ToBytes();
        var output = new byte[1 + 4 + header.Length + 12 + 16 + DataKeyLength];
        output[0] = FormatV1;
        BinaryPrimitives.WriteInt32BigEndian(output.AsSpan(1), header.Length);
        header.CopyTo(output, 5);
        var at = 5 + header.Length;
        RandomNumberGenerator.Fill(output.AsSpan(at, 12));
        using (var gcm = new AesGcm(kemKey, 16))
            gcm.Encrypt(output.AsSpan(at, 12), dataKey, output.AsSpan(at + 28, DataKeyLength), output.AsSpan(at + 12, 16), header);
        CryptographicOperations.ZeroMemory(kemKey);
        return output;
    }

    /// <summary>The policy an envelope was sealed under, read without opening it.</summary>
    /// <exception cref="FormatException">The bytes are not an envelope.</exception>
    public static string PolicyOf(ReadOnlySpan<byte> envelope) => Parse(envelope, out _, out _).Policy;

    /// <summary>
    /// Opens an envelope with an attribute key: false when the key's attributes do not satisfy
    /// the policy or anything was altered. Costs one FAME decryption (one multi-pairing).
    /// </summary>
    /// <exception cref="FormatException">The bytes are not an envelope.</exception>
    public static bool TryOpen(FameUserKey key, ReadOnlySpan<byte> envelope, out byte[] dataKey)
    {
        ArgumentNullException.ThrowIfNull(key);
        var ciphertext = Parse(envelope, out var header, out var sealedPart);
        dataKey = [];
        if (!Fame.TryDecrypt(key, ciphertext, out var kemKey))
            return false;
        var opened = new byte[DataKeyLength];
        try
        {
            using var gcm = new AesGcm(kemKey, 16);
            gcm.Decrypt(sealedPart[..12], sealedPart[28..], sealedPart.Slice(12, 16), opened, header);
            dataKey = opened;
            return true;
        }
        catch (AuthenticationTagMismatchException)
        {
            return false;
        }
        finally
        {
            CryptographicOperations.ZeroMemory(kemKey);
        }
    }

    private static FameCiphertext Parse(ReadOnlySpan<byte> envelope, out ReadOnlySpan<byte> header, out ReadOnlySpan<byte> sealedPart)
    {
        if (envelope.Length < 5 || envelope[0] != FormatV1)
            throw new FormatException("Key envelope: unknown format.");
        var length = BinaryPrimitives.ReadInt32BigEndian(envelope[1..]);
        if (length <= 0 || envelope.Length != 5 + length + 12 + 16 + DataKeyLength)
            throw new FormatException("Key envelope: the lengths do not add up.");
        header = envelope.Slice(5, length);
        sealedPart = envelope[(5 + length)..];
        return FameCiphertext.FromBytes(header);
    }
}

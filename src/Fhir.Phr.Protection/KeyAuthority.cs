using System.Collections.Concurrent;
using System.Security.Cryptography;
using System.Text;
using Fhir.Phr.Abe;

namespace Fhir.Phr.Protection;

/// <summary>
/// The attribute authority of the server's CP-ABE (FAME on BLS12-381): it holds the FAME master
/// key and issues attribute keys. The master key is stored only wrapped (AES-256-GCM) under a key
/// derived from the server master key, in a file beside it, so the database and its backups
/// alone open nothing. Issued keys live in memory only, cached per attribute set: key generation
/// costs one FAME KeyGen (about 20 ms at 10 attributes), a cache hit nothing.
/// </summary>
public sealed class KeyAuthority
{
    private const byte FileFormatV1 = 1;
    private const int MaxCachedKeys = 4096;
    private static readonly byte[] FileAad = Encoding.ASCII.GetBytes("fhir.phr/abe-authority/v1");

    private readonly FameMasterKey _masterKey;
    private readonly ConcurrentDictionary<string, FameUserKey> _keys = new(StringComparer.Ordinal);

    private KeyAuthority(FamePublicKey publicKey, FameMasterKey masterKey)
    {
        PublicKey = publicKey;
        _masterKey = masterKey;
        // Every record policy names the system role.
        PublicKey.PrecomputeAttribute(RecordPolicy.SystemAttribute);
    }

    public FamePublicKey PublicKey { get; }

    /// <summary>Creates an authority in memory (tests and tools).</summary>
    public static KeyAuthority CreateEphemeral()
    {
        var (publicKey, masterKey) = Fame.Setup();
        return new KeyAuthority(publicKey, masterKey);
    }

    /// <summary>
    /// Reads the authority file, or runs FAME setup and writes it (mode 0600). Layout:
    /// [format 1][nonce 12][tag 16][AES-GCM(public key length u32 ‖ public key ‖ master key)].
    /// </summary>
    /// <exception cref="InvalidOperationException">The file exists but does not open with this master key.</exception>
    public static KeyAuthority LoadOrCreate(string path, MasterKey masterKey)
    {
        ArgumentNullException.ThrowIfNull(masterKey);
        var wrapKey = masterKey.Derive("fhir.phr/abe-authority-wrap/v1");
        try
        {
            if (File.Exists(path))
                return Open(path, File.ReadAllBytes(path), wrapKey);
            var (publicKey, fameMaster) = Fame.Setup();
            var publicBytes = publicKey.ToBytes();
            var masterBytes = fameMaster.ToBytes();
            var plain = new byte[4 + publicBytes.Length + masterBytes.Length];
            System.Buffers.Binary.BinaryPrimitives.WriteInt32BigEndian(plain, publicBytes.Length);
            publicBytes.CopyTo(plain, 4);
            masterBytes.CopyTo(plain, 4 + publicBytes.Length);
            var file = new byte[1 + 12 + 16 + plain.Length];
            file[0] = FileFormatV1;
            RandomNumberGenerator.Fill(file.AsSpan(1, 12));
            using (var gcm = new AesGcm(wrapKey, 16))
                gcm.Encrypt(file.AsSpan(1, 12), plain, file.AsSpan(29), file.AsSpan(13, 16), FileAad);
            CryptographicOperations.ZeroMemory(plain);
            Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(path))!);
            var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
            if (!OperatingSystem.IsWindows())
                options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
            using (var stream = new FileStream(path, options))
                stream.Write(file);
            return new KeyAuthority(publicKey, fameMaster);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(wrapKey);
        }
    }

    private static KeyAuthority Open(string path, byte[] file, byte[] wrapKey)
    {
        if (file.Length < 1 + 12 + 16 + 4 || file[0] != FileFormatV1)
            throw new InvalidOperationException($"ABE authority file '{path}' is not in a known format.");
        var plain = new byte[file.Length - 29];
        try
        {
            using (var gcm = new AesGcm(wrapKey, 16))
                gcm.Decrypt(file.AsSpan(1, 12), file.AsSpan(29), file.AsSpan(13, 16), plain, FileAad);
            var publicLength = System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(plain);
            if (publicLength <= 0 || publicLength > plain.Length - 4)
                throw new InvalidOperationException($"ABE authority file '{path}' is truncated.");
            var publicKey = FamePublicKey.FromBytes(plain.AsSpan(4, publicLength));
            var masterKey = FameMasterKey.FromBytes(plain.AsSpan(4 + publicLength));
            return new KeyAuthority(publicKey, masterKey);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new InvalidOperationException($"ABE authority file '{path}' does not open with this server's master key (a different master key, or a damaged file).");
        }
        catch (FormatException e)
        {
            throw new InvalidOperationException($"ABE authority file '{path}' is damaged: {e.Message}", e);
        }
        finally
        {
            CryptographicOperations.ZeroMemory(plain);
        }
    }

    /// <summary>
    /// Runs the CP-ABE code paths often enough for the JIT to compile them fully optimised
    /// (tiered compilation starts every method unoptimised, which makes the pairing code ten
    /// times slower for its first calls). On a throwaway authority; call once at start-up.
    /// </summary>
    public static void Warm(int rounds = 40)
    {
        var authority = CreateEphemeral();
        var dataKey = KeyEnvelope.NewDataKey();
        for (var i = 0; i < rounds; i++)
        {
            var patient = "warm-" + i.ToString(System.Globalization.CultureInfo.InvariantCulture);
            var policy = i % 2 == 0 ? RecordPolicy.ForNewRecord(patient) : RecordPolicy.For(patient, 0);
            var envelope = KeyEnvelope.Seal(authority.PublicKey, policy, dataKey);
            if (i % 4 == 0)
                _ = KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.Owner(patient), RecordPolicy.Grant("other", 0)]), envelope, out _);
            else
                _ = KeyEnvelope.TryOpen(authority.KeyFor([RecordPolicy.SystemAttribute]), envelope, out _);
        }
    }

    /// <summary>The attribute key for exactly these attributes (cached; order and duplicates do not matter).</summary>
    public FameUserKey KeyFor(IEnumerable<string> attributes)
    {
        ArgumentNullException.ThrowIfNull(attributes);
        var sorted = attributes.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToArray();
        var cacheKey = string.Join('\n', sorted);
        if (_keys.TryGetValue(cacheKey, out var key))
            return key;
        key = Fame.KeyGen(_masterKey, sorted);
        if (_keys.Count >= MaxCachedKeys)
            _keys.Clear();
        return _keys.GetOrAdd(cacheKey, key);
    }
}

using System.Text;
using Fhir.Phr.Protection;

namespace Fhir.Phr.Core.Ingest;

/// <summary>
/// Ingest's own bookkeeping can carry PHI even though it holds no resources: a converter's
/// message may quote a field, a sender may name a file after a patient, a reviewer writes why.
/// Those columns (the job's result, file names, review reasons) are stored AES-GCM-encrypted
/// under a key derived from the server master key, bound to their column and row, so the
/// database alone reveals none of it (architecture.md: no plaintext PHI in any table).
/// </summary>
public sealed class IngestSecrets(MasterKey master, PayloadProtector protector)
{
    private readonly byte[] _key = master.Derive("fhir-phr/ingest-bookkeeping/v1", 32);

    public string? Seal(string? text, string column, string row) =>
        text is null ? null : Convert.ToBase64String(protector.Protect(Context(column, row), _key, Encoding.UTF8.GetBytes(text)));

    /// <summary>The text, or a <see cref="PayloadIntegrityException"/> when the stored value was altered or moved.</summary>
    public string? Open(string? stored, string column, string row)
    {
        if (stored is null)
            return null;
        Span<byte> bytes = new byte[stored.Length];
        if (!Convert.TryFromBase64String(stored, bytes, out var length))
            throw new PayloadIntegrityException(Context(column, row), "the stored value is not base64");
        return Encoding.UTF8.GetString(protector.Unprotect(Context(column, row), _key, bytes[..length]));
    }

    private static PayloadContext Context(string column, string row) => new(column, row, 0, 0);
}

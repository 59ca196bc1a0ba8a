using System.Security.Cryptography;
using System.Text;
using System.Text.Json;

namespace Fhir.Phr.Abe.Tests;

/// <summary>Access to vectors/vectors.json (made by vectors/gen-vectors.mjs with @noble/curves).</summary>
internal static class TestVectors
{
    private static readonly Lazy<JsonElement> Root = new(() =>
        JsonDocument.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "vectors", "vectors.json"))).RootElement);

    public static JsonElement Json => Root.Value;

    /// <summary>The generator's deterministic scalar: SHA-256(utf8(label)) mod r.</summary>
    public static Scalar ScalarOf(string label) => Scalar.FromBigEndian(SHA256.HashData(Encoding.UTF8.GetBytes(label)));

    public static byte[] Hex(string hex) => Convert.FromHexString(hex);

    public static string ToHex(byte[] bytes) => Convert.ToHexString(bytes).ToLowerInvariant();

    public static IEnumerable<JsonElement> Array(string name) => Json.GetProperty(name).EnumerateArray();
}

using System.Diagnostics;
using System.Globalization;
using Fhir.Phr.Abe;
using Fhir.Phr.Abe.Math;

// Per operation: process CPU time, minimum over 7 repetitions after a warm-up round.
var label = args.Length > 0 ? args[0] : "build";
var msg = "benchmark message"u8.ToArray();
var dst = "FHIR-PHR-BENCH-V01-CS01-with-BLS12381G1_XMD:SHA-256_SSWU_RO_"u8.ToArray();
var (pk, _) = Fame.Setup();
var tenAttributes = string.Join(" and ", Enumerable.Range(0, 10).Select(i => $"role:attribute-{i}"));
long fresh = 0;

var u = HashToCurve.HashToFieldFp(msg, dst, 1)[0];
Report("MapToG1Curve", "us", Measure(() => HashToCurve.MapToG1Curve(u), 2000) * 1000);
Report("HashToG1", "us", Measure(() => G1Point.HashToCurve(msg, dst), 1000) * 1000);
Report("FameEncrypt10 cached names", "ms", Measure(() => Fame.Encrypt(pk, tenAttributes), 60));
// Fresh names miss Fame's hash cache, as a new patient's attributes do: each call encrypts
// under the policy made for a new id.
double Fresh(Func<long, string> policy, int iterations) => Measure(() => Fame.Encrypt(pk, policy(fresh++)), iterations);
Report("FameEncrypt10 fresh names", "ms", Fresh(id => string.Join(" and ", Enumerable.Range(0, 10).Select(i => $"role:fresh-{id}-{i}")), 20));

// Record envelopes (RecordPolicy): the full policy, a new record's first envelope, no patient.
// Then again as the server's authority, with tables for the system role's rows.
string FullPolicy(long id) => $"\"owner:p{id}\" or \"grant:p{id}:e0\" or \"emergency:p{id}\" or \"role:system\"";
string NewRecordPolicy(long id) => $"\"owner:p{id}\" or \"role:system\"";
foreach (var precomputed in new[] { false, true })
{
    if (precomputed) pk.PrecomputeAttribute("role:system");
    var suffix = precomputed ? ", system rows precomputed" : "";
    Report("FullRecordPolicy" + suffix, "ms", Fresh(FullPolicy, 60));
    Report("NewRecordPolicy" + suffix, "ms", Fresh(NewRecordPolicy, 60));
    Report("SystemOnlyPolicy" + suffix, "ms", Measure(() => Fame.Encrypt(pk, "\"role:system\""), 60));
}

static double Measure(Action operation, int iterations)
{
    for (int i = 0; i < iterations; i++) operation();
    double best = double.MaxValue;
    for (int r = 0; r < 7; r++)
    {
        var start = Process.GetCurrentProcess().TotalProcessorTime;
        for (int i = 0; i < iterations; i++) operation();
        var elapsed = Process.GetCurrentProcess().TotalProcessorTime - start;
        best = Math.Min(best, elapsed.TotalMilliseconds / iterations);
    }
    return best;
}

void Report(string name, string unit, double value) =>
    Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{label,-4} {name,-42} {value:F2} {unit}"));

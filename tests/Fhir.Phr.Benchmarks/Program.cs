using BenchmarkDotNet.Running;

// dotnet run -c Release --project tests/Fhir.Phr.Benchmarks -- --filter '*'
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);

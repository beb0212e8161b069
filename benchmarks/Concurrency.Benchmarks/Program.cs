using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Concurrency.Benchmarks -- --filter '*Primes*'
BenchmarkSwitcher.FromAssembly(typeof(Concurrency.Benchmarks.PrimesBenchmarks).Assembly).Run(args);

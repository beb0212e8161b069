using BenchmarkDotNet.Running;

// dotnet run -c Release --project benchmarks/Concurrency.Benchmarks -- --filter '*Primes*'   (BenchmarkDotNet: Primes, TinyItems, Counter)
// dotnet run -c Release --project benchmarks/Concurrency.Benchmarks -- processes [quick|roundtrip]   (process pool against its raw floors)
// dotnet run -c Release --project benchmarks/Concurrency.Benchmarks -- sharedmemory [quick]           (shared-memory executor against its floors)
if (args.Length > 0 && args[0] == "processes")
{
    return await Concurrency.Benchmarks.Processes.ProcessPoolBenchmarks.RunAsync(args[1..]);
}

if (args.Length > 0 && args[0] == "sharedmemory")
{
    return await Concurrency.Benchmarks.SharedMemory.SharedMemoryBenchmarks.RunAsync(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Concurrency.Benchmarks.PrimesBenchmarks).Assembly).Run(args);
return 0;

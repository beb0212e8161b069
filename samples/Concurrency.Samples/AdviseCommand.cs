using Concurrency.Advisor;
using Concurrency.Samples.Matrix;
using Concurrency.Samples.Workloads;
using Microsoft.Extensions.Configuration;

namespace Concurrency.Samples;

/// <summary><c>advise</c>: measures one of the sample's workloads with <see cref="ExecutorAdvisor"/> on every available executor and prints its recommendation.</summary>
internal static class AdviseCommand
{
    public static async Task<int> RunAsync(SampleOptions options, IConfiguration configuration, CancellationToken cancellationToken)
    {
        var factory = new ExecutorFactory(configuration, options.Workers);
        var leases = new List<ExecutorLease>();
        try
        {
            foreach (var kind in options.ExecutorKindsToMeasure)
            {
                var (lease, problem) = factory.TryCreate(kind);
                if (lease is null)
                {
                    Console.WriteLine($"note: {kind} is not available, not measured: {problem}");
                    continue;
                }

                leases.Add(lease);
            }

            var advisor = new ExecutorAdvisor(new ExecutorAdvisorOptions { WorkloadMayCrash = options.MayCrash, WorkloadMayHang = options.MayHang, MeasurementRuns = options.Runs });
            var executors = leases.Select(l => l.Executor).ToArray();
            var workload = options.Workloads[0];
            Console.WriteLine($"advise: measuring '{workload}' in this process and on {string.Join(", ", executors.Select(e => e.Name))} ...");
            var recommendation = workload switch
            {
                "sum" => await advisor.AdviseAsync(new SumWorkload { Count = Math.Max(1, (int)(20_000_000 * options.Scale)) }, [.. Enumerable.Range(0, 8)], executors, cancellationToken),
                "primes" => await advisor.AdviseAsync(new PrimesWorkload(), NumberRange.Split(0, Math.Max(2, (int)(PrimesWorkload.DefaultLimit * options.Scale)), 4 * Environment.ProcessorCount), executors, cancellationToken),
                "inplace" => await AdviseInPlaceAsync(advisor, options.Scale, executors, cancellationToken),
                _ => await AdvisePipelineAsync(advisor, options.Scale, executors, cancellationToken),
            };

            Console.WriteLine();
            Console.WriteLine(recommendation);
            Console.WriteLine();
            Console.WriteLine($"Set it with --executor {recommendation.Executor.ToLowerInvariant()}, or \"Executor\": {{ \"Kind\": \"{recommendation.Executor}\" }} in appsettings.json.");
            return 0;
        }
        finally
        {
            foreach (var lease in leases)
            {
                await lease.DisposeAsync();
            }
        }
    }

    private static Task<ExecutorRecommendation> AdvisePipelineAsync(ExecutorAdvisor advisor, double scale, IWorkExecutor[] executors, CancellationToken cancellationToken)
    {
        var data = new double[Math.Max(PipelineMatrixWorkload.Chunks, (int)(2_000_000 * scale))];
        PipelineTransform.Fill(data);
        var chunks = data.Chunk((data.Length + PipelineMatrixWorkload.Chunks - 1) / PipelineMatrixWorkload.Chunks)
            .Select((values, i) => new PipelineChunk(i, values))
            .ToArray();
        return advisor.AdviseAsync(new PipelineWorkload(), chunks, executors, cancellationToken);
    }

    /// <summary>The advisor sees the in-place transform as it must travel to a worker without shared memory: each chunk by value, there and back.</summary>
    private static Task<ExecutorRecommendation> AdviseInPlaceAsync(ExecutorAdvisor advisor, double scale, IWorkExecutor[] executors, CancellationToken cancellationToken)
    {
        var data = new double[Math.Max(InPlaceMatrixWorkload.Chunks, (int)(InPlaceMatrixWorkload.DefaultLength * scale))];
        PipelineTransform.Fill(data);
        var chunks = data.Chunk((data.Length + InPlaceMatrixWorkload.Chunks - 1) / InPlaceMatrixWorkload.Chunks)
            .Select((values, i) => new BufferChunk(i, values))
            .ToArray();
        return advisor.AdviseAsync(new CopiedTransformWorkload(), chunks, executors, cancellationToken);
    }
}

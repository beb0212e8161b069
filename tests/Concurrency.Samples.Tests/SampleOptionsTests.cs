using Concurrency.Samples;

namespace Concurrency.Samples.Tests;

public sealed class SampleOptionsTests
{
    [Fact]
    public void Parse_NoArguments_MatrixOfTheFourWorkloadsOnEveryExecutor()
    {
        var options = SampleOptions.Parse([]);

        Assert.Equal(SampleCommand.Matrix, options.Command);
        Assert.Equal(["sum", "primes", "pipeline", "inplace"], options.Workloads);
        Assert.Equal(["Threads", "Processes", "SharedMemory"], options.ExecutorKindsToMeasure);
        Assert.Null(options.ExecutorKind);
        Assert.Null(options.Workers);
        Assert.Equal(1, options.Scale);
        Assert.Equal(5, options.Runs);
        Assert.Equal(TimeSpan.FromSeconds(1), options.HangTimeout);
        Assert.Equal(SampleOptions.DefaultOutputDirectory, options.OutputDirectory);
        Assert.Empty(options.ToConfiguration());
    }

    [Fact]
    public void Parse_ExecutorAlone_RunsTheFirstSampleOnThatExecutorThroughConfiguration()
    {
        var options = SampleOptions.Parse(["--executor", "processes", "--workers", "3"]);

        Assert.Equal(SampleCommand.Run, options.Command);
        Assert.Equal("Processes", options.ExecutorKind);
        Assert.Equal(["sum", "primes", "race"], options.Workloads);
        Assert.Equal(
            [new("Executor:Kind", "Processes"), new("Executor:MaxConcurrency", "3")],
            options.ToConfiguration().ToArray());
    }

    [Fact]
    public void Parse_MatrixWithExecutor_MeasuresOnlyThatExecutor()
    {
        var options = SampleOptions.Parse(["matrix", "--executor=threads"]);

        Assert.Equal(SampleCommand.Matrix, options.Command);
        Assert.Equal(["Threads"], options.ExecutorKindsToMeasure);
    }

    [Fact]
    public void Parse_Executors_MapsNamesToKindsAndDropsDuplicates()
    {
        var options = SampleOptions.Parse(["--executors", "threads, SHAREDMEMORY,threads,Orleans"]);

        Assert.Equal(["Threads", "SharedMemory", "Orleans"], options.ExecutorKindsToMeasure);
    }

    [Fact]
    public void Parse_SizesAndOutput_AreKept()
    {
        var options = SampleOptions.Parse(["--scale", "0.25", "--runs=5", "--output", "/tmp/x", "--hang-timeout", "2", "--workloads", "Pipeline,sum"]);

        Assert.Equal(0.25, options.Scale);
        Assert.Equal(5, options.Runs);
        Assert.Equal("/tmp/x", options.OutputDirectory);
        Assert.Equal(TimeSpan.FromSeconds(2), options.HangTimeout);
        Assert.Equal(["pipeline", "sum"], options.Workloads);
    }

    [Fact]
    public void Parse_Advise_TakesOneWorkloadAndTheFailureHints()
    {
        var options = SampleOptions.Parse(["advise", "--workload", "pipeline", "--may-crash", "--may-hang"]);

        Assert.Equal(SampleCommand.Advise, options.Command);
        Assert.Equal(["pipeline"], options.Workloads);
        Assert.True(options.MayCrash);
        Assert.True(options.MayHang);
    }

    [Fact]
    public void Parse_AdviseWithoutWorkload_AdvisesOnPrimes() =>
        Assert.Equal(["primes"], SampleOptions.Parse(["advise"]).Workloads);

    [Fact]
    public void Parse_ConfigurationArgument_IsPassedOn()
    {
        var options = SampleOptions.Parse(["--Executor:QueueCapacity", "64"]);

        Assert.Equal(["--Executor:QueueCapacity", "64"], options.ConfigurationArguments);
    }

    [Fact]
    public void Parse_Help_IsShown() => Assert.True(SampleOptions.Parse(["--help"]).ShowHelp);

    [Theory]
    [InlineData(new[] { "--workers", "0" }, "Option '--workers' must be a whole number from 1 to 1024, got '0'.")]
    [InlineData(new[] { "--runs", "x" }, "Option '--runs' must be a whole number from 1 to 50, got 'x'.")]
    [InlineData(new[] { "--scale", "-1" }, "Option '--scale' must be a number above 0 and at most 100, got '-1'.")]
    [InlineData(new[] { "--workloads", "sum,fib" }, "Unknown workload 'fib' in --workloads. Known workloads: sum, primes, pipeline, inplace, race, quickstart.")]
    [InlineData(new[] { "--workload", "race" }, "Unknown workload 'race' in --workload. Known workloads: sum, primes, pipeline, inplace.")]
    [InlineData(new[] { "--executors", " , " }, "Option '--executors' needs at least one kind: threads, processes, sharedmemory.")]
    [InlineData(new[] { "--executor" }, "Option '--executor' needs a value. Run with --help to see the options.")]
    [InlineData(new[] { "--frobnicate" }, "Unknown argument '--frobnicate'. Run with --help to see the options.")]
    [InlineData(new[] { "--workers", "2", "matrix" }, "Unknown argument 'matrix'. Run with --help to see the options.")]
    [InlineData(new[] { "advise", "--workloads", "sum,primes" }, "advise takes one workload (--workload), one of: sum, primes, pipeline, inplace; got 'sum,primes'.")]
    public void Parse_InvalidArguments_ThrowFormatExceptionSayingWhatToFix(string[] args, string message)
    {
        var error = Assert.Throws<FormatException>(() => SampleOptions.Parse(args));

        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Parse_PipelineOnOneExecutorWithoutMatrix_SaysHowToRunIt()
    {
        var error = Assert.Throws<FormatException>(() => SampleOptions.Parse(["--executor", "threads", "--workloads", "pipeline"]));

        Assert.StartsWith("The pipeline workload runs in the matrix", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Parse_InPlaceOnOneExecutorWithoutMatrix_SaysHowToRunIt()
    {
        var error = Assert.Throws<FormatException>(() => SampleOptions.Parse(["--executor", "processes", "--workloads", "sum,inplace"]));

        Assert.Equal("The inplace workload runs in the matrix (the default command) or with advise, not with run/--executor alone: use --executors <kind> --workloads inplace.", error.Message);
    }
}

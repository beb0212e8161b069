using System.Buffers;
using System.Globalization;
using Concurrency.Processes;
using Concurrency.Samples.Workloads;
using Concurrency.SharedMemory;
using Microsoft.Data.Sqlite;

namespace Concurrency.Samples.Matrix;

/// <summary>One workload of the matrix: runs sequentially or on an executor, checks its answer, and weighs its items on the wire.</summary>
internal abstract class MatrixWorkload : IDisposable
{
    protected static readonly WorkContext SequentialContext = new(workerId: 0);

    public abstract string Name { get; }

    /// <summary>Gets how many items one run has on <paramref name="executor"/> (null: sequential).</summary>
    public abstract int ItemCount(IWorkExecutor? executor);

    /// <summary>Runs the workload once, sequentially when <paramref name="executor"/> is null; returns its answer as text, the same whatever ran it.</summary>
    /// <remarks>A workload that changes its data (in place) returns only part of its answer here: see <see cref="PrepareRun"/> and <see cref="AnswerAfterRun"/>.</remarks>
    public abstract Task<string> RunAsync(IWorkExecutor? executor, CancellationToken cancellationToken);

    /// <summary>Called before every run, untimed: puts back whatever the previous run changed, so that every run starts from the same data. Nothing by default.</summary>
    public virtual void PrepareRun()
    {
    }

    /// <summary>Called after every run, untimed: the answer to check, from what <see cref="RunAsync"/> returned and what the run left behind. <paramref name="result"/> by default.</summary>
    public virtual string AnswerAfterRun(string result) => result;

    /// <summary>Gets the expected answer when it is known in advance, else null (then the sequential answer is the reference).</summary>
    public virtual string? ExpectedAnswer => null;

    /// <summary>Gets the bytes one item costs on the wire of <paramref name="executor"/>: its input and result serialized with the process pool's serializer; 0 where memory is shared.</summary>
    public long SerializedBytesPerItem(IWorkExecutor executor, IWorkSerializer serializer)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return executor.Capabilities.HasFlag(ExecutorCapabilities.SharesMemory) ? 0 : WireBytesPerItem(executor, serializer);
    }

    protected abstract long WireBytesPerItem(IWorkExecutor executor, IWorkSerializer serializer);

    public virtual void Dispose()
    {
    }

    protected static long Weigh<T>(IWorkSerializer serializer, T value)
    {
        var buffer = new ArrayBufferWriter<byte>();
        serializer.Serialize(buffer, value);
        return buffer.WrittenCount;
    }

    protected static int Workers(IWorkExecutor? executor) => Math.Max(1, executor?.MaxConcurrency ?? Environment.ProcessorCount);
}

/// <summary>"sum": <c>count += i</c> for i in 0..20,000,000 (× scale), four items.</summary>
internal sealed class SumMatrixWorkload(double scale) : MatrixWorkload
{
    private readonly SumWorkload _workload = new() { Count = Math.Max(1, (int)(20_000_000 * scale)) };
    private readonly int[] _items = [.. Enumerable.Range(0, SumWorkload.DefaultItems)];

    public override string Name => "sum";

    public override string? ExpectedAnswer => string.Create(CultureInfo.InvariantCulture, $"{_items.Length} x {_workload.ExpectedResult:N0}");

    public override int ItemCount(IWorkExecutor? executor) => _items.Length;

    public override async Task<string> RunAsync(IWorkExecutor? executor, CancellationToken cancellationToken)
    {
        var results = executor is null
            ? _items.Select(i => _workload.Execute(i, SequentialContext)).ToArray()
            : await executor.MapAsync(_workload, _items, cancellationToken: cancellationToken).ToArrayAsync(cancellationToken);
        return results.All(r => r == results[0])
            ? string.Create(CultureInfo.InvariantCulture, $"{results.Length} x {results[0]:N0}")
            : string.Join(", ", results);
    }

    protected override long WireBytesPerItem(IWorkExecutor executor, IWorkSerializer serializer) =>
        Weigh(serializer, _items[1]) + Weigh(serializer, _workload.ExpectedResult);
}

/// <summary>"primes": primes below 1,000,000 (× scale) by trial division, one range per worker.</summary>
internal sealed class PrimesMatrixWorkload(double scale) : MatrixWorkload
{
    private readonly PrimesWorkload _workload = new();
    private readonly int _limit = Math.Max(2, (int)(PrimesWorkload.DefaultLimit * scale));

    public override string Name => "primes";

    public override string? ExpectedAnswer => _limit == PrimesWorkload.DefaultLimit
        ? string.Create(CultureInfo.InvariantCulture, $"{PrimesWorkload.PrimesBelowDefaultLimit:N0} primes")
        : null;

    public override int ItemCount(IWorkExecutor? executor) => Workers(executor);

    public override async Task<string> RunAsync(IWorkExecutor? executor, CancellationToken cancellationToken)
    {
        var ranges = NumberRange.Split(0, _limit, Workers(executor));
        var count = executor is null
            ? ranges.Sum(r => _workload.Execute(r, SequentialContext))
            : await executor.MapAsync(_workload, ranges, cancellationToken: cancellationToken).SumAsync(cancellationToken);
        return string.Create(CultureInfo.InvariantCulture, $"{count:N0} primes");
    }

    protected override long WireBytesPerItem(IWorkExecutor executor, IWorkSerializer serializer)
    {
        var ranges = NumberRange.Split(0, _limit, Workers(executor));
        return Weigh(serializer, ranges[0]) + Weigh(serializer, _workload.Execute(ranges[0], SequentialContext));
    }
}

/// <summary>
/// "pipeline": a CPU-heavy transform of a large numeric dataset (2,000,000 doubles × scale, in 16 chunks),
/// followed by an I/O phase that writes every chunk's results into a SQLite database file as they arrive.
/// On an executor with zero-copy buffers the chunks travel as handles to a shared-memory copy of the dataset.
/// </summary>
internal sealed class PipelineMatrixWorkload : MatrixWorkload
{
    public const int Chunks = 16;
    private readonly double[] _data;
    private readonly PipelineChunk[] _chunks;
    private readonly string _directory;
    private readonly PipelineWorkload _workload;
    private readonly SharedPipelineWorkload _sharedWorkload;
    private SharedArray<double>? _shared;
    private SharedPipelineChunk[]? _sharedChunks;

    public PipelineMatrixWorkload(double scale, string directory, int iterations = 24)
    {
        _directory = directory;
        _workload = new PipelineWorkload { Iterations = iterations };
        _sharedWorkload = new SharedPipelineWorkload { Iterations = iterations };
        _data = new double[Math.Max(Chunks, (int)(2_000_000 * scale))];
        PipelineTransform.Fill(_data);
        _chunks = new PipelineChunk[Chunks];
        for (var i = 0; i < Chunks; i++)
        {
            var (start, end) = ChunkBounds(i);
            _chunks[i] = new PipelineChunk(i, _data[start..end]);
        }
    }

    public override string Name => "pipeline";

    /// <summary>Gets the path of the database file the last run on <paramref name="executor"/> wrote.</summary>
    public string DatabasePath(IWorkExecutor? executor) => Path.Combine(_directory, $"pipeline-{executor?.Name.ToLowerInvariant() ?? "sequential"}.db");

    public override int ItemCount(IWorkExecutor? executor) => Chunks;

    public override async Task<string> RunAsync(IWorkExecutor? executor, CancellationToken cancellationToken)
    {
        var path = DatabasePath(executor);
        Directory.CreateDirectory(_directory);
        File.Delete(path);
        using var database = new PipelineDatabase(path);
        if (executor is null)
        {
            foreach (var chunk in _chunks)
            {
                database.Write(_workload.Execute(chunk, SequentialContext));
            }
        }
        else if (executor.Capabilities.HasFlag(ExecutorCapabilities.ZeroCopyBuffers))
        {
            await foreach (var summary in executor.MapAsync(_sharedWorkload, SharedChunks(), cancellationToken: cancellationToken))
            {
                database.Write(summary);
            }
        }
        else
        {
            await foreach (var summary in executor.MapAsync(_workload, _chunks, cancellationToken: cancellationToken))
            {
                database.Write(summary);
            }
        }

        return database.Commit();
    }

    protected override long WireBytesPerItem(IWorkExecutor executor, IWorkSerializer serializer)
    {
        var result = _workload.Execute(_chunks[0], SequentialContext);
        var input = executor.Capabilities.HasFlag(ExecutorCapabilities.ZeroCopyBuffers)
            ? Weigh(serializer, SharedChunks()[0])
            : Weigh(serializer, _chunks[0]);
        return input + Weigh(serializer, result);
    }

    public override void Dispose()
    {
        _shared?.Dispose();
        _shared = null;
    }

    private (int Start, int End) ChunkBounds(int i) => ((int)((long)_data.Length * i / Chunks), (int)((long)_data.Length * (i + 1) / Chunks));

    private SharedPipelineChunk[] SharedChunks()
    {
        if (_sharedChunks is null)
        {
            _shared = SharedArray<double>.Create(_data.Length);
            _data.CopyTo(_shared.AsSpan());
            var handle = _shared.Handle.AsReadOnly();
            _sharedChunks = new SharedPipelineChunk[Chunks];
            for (var i = 0; i < Chunks; i++)
            {
                var (start, end) = ChunkBounds(i);
                _sharedChunks[i] = new SharedPipelineChunk(i, handle.Slice(start, end - start));
            }
        }

        return _sharedChunks;
    }

    /// <summary>The I/O phase: one SQLite file, a table of chunk statistics and a table of block means, written in one transaction.</summary>
    private sealed class PipelineDatabase : IDisposable
    {
        private readonly SqliteConnection _connection;
        private readonly SqliteTransaction _transaction;
        private readonly SqliteCommand _insertChunk;
        private readonly SqliteCommand _insertBlock;
        private double _sum;
        private long _values;

        public PipelineDatabase(string path)
        {
            _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            _connection.Open();
            using (var create = _connection.CreateCommand())
            {
                create.CommandText = """
                    PRAGMA journal_mode = WAL;
                    CREATE TABLE chunk (id INTEGER PRIMARY KEY, count INTEGER NOT NULL, min REAL NOT NULL, max REAL NOT NULL, sum REAL NOT NULL);
                    CREATE TABLE block (chunk INTEGER NOT NULL, position INTEGER NOT NULL, mean REAL NOT NULL, PRIMARY KEY (chunk, position));
                    """;
                create.ExecuteNonQuery();
            }

            _transaction = _connection.BeginTransaction();
            _insertChunk = Command("INSERT INTO chunk VALUES ($id, $count, $min, $max, $sum)", "$id", "$count", "$min", "$max", "$sum");
            _insertBlock = Command("INSERT INTO block VALUES ($chunk, $position, $mean)", "$chunk", "$position", "$mean");
        }

        public void Write(ChunkSummary summary)
        {
            Set(_insertChunk, summary.Index, summary.Count, summary.Min, summary.Max, summary.Sum);
            _insertChunk.ExecuteNonQuery();
            for (var i = 0; i < summary.Blocks.Length; i++)
            {
                Set(_insertBlock, summary.Index, i, summary.Blocks[i]);
                _insertBlock.ExecuteNonQuery();
            }

            _sum += summary.Sum;
            _values += summary.Count;
        }

        /// <summary>Commits, reads back what was stored, and returns it as the run's answer.</summary>
        public string Commit()
        {
            _transaction.Commit();
            using var count = _connection.CreateCommand();
            count.CommandText = "SELECT (SELECT COUNT(*) FROM chunk), (SELECT COUNT(*) FROM block), (SELECT SUM(count) FROM chunk)";
            using var reader = count.ExecuteReader();
            reader.Read();
            return string.Create(CultureInfo.InvariantCulture, $"{reader.GetInt64(0)} chunks, {reader.GetInt64(1):N0} rows, mean {_sum / Math.Max(1, _values):F6}");
        }

        public void Dispose()
        {
            _insertChunk.Dispose();
            _insertBlock.Dispose();
            _transaction.Dispose();
            _connection.Dispose();
        }

        private SqliteCommand Command(string text, params string[] parameters)
        {
            var command = _connection.CreateCommand();
            command.Transaction = _transaction;
            command.CommandText = text;
            foreach (var parameter in parameters)
            {
                command.Parameters.Add(new SqliteParameter { ParameterName = parameter });
            }

            command.Prepare();
            return command;
        }

        private static void Set(SqliteCommand command, params object[] values)
        {
            for (var i = 0; i < values.Length; i++)
            {
                command.Parameters[i].Value = values[i];
            }
        }
    }
}

/// <summary>
/// "inplace": the pipeline's shape with the data staying where it is — a buffer of 4,000,000 doubles × scale (32 MB)
/// transformed in place by the workers, in 16 chunks. The buffer is a <see cref="SharedArray{T}"/>. Sequentially, on an
/// executor that shares memory (threads) and on one with zero-copy buffers (shared memory), every item carries a
/// writable handle to its chunk and the same <see cref="InPlaceTransformWorkload"/> rewrites the values in the segment,
/// returning only a count. On the others (the process pool) a chunk travels by value and comes back transformed, and the
/// caller copies it into place. Every run starts from the same initial values (restored by <see cref="PrepareRun"/>,
/// untimed); the answer is the checksum of the whole buffer after the run, which must equal the checksum of the map
/// applied value by value to a plain copy of the initial values.
/// </summary>
internal sealed class InPlaceMatrixWorkload : MatrixWorkload
{
    public const int Chunks = 16;
    public const int DefaultLength = 4_000_000;
    private readonly int _iterations;
    private readonly double[] _initial;
    private readonly SharedArray<double> _buffer;
    private readonly SharedBufferChunk[] _sharedChunks;
    private readonly InPlaceTransformWorkload _inPlace;
    private readonly CopiedTransformWorkload _copied;
    private bool _changed = true;
    private long _rewritten;
    private string? _expected;

    public InPlaceMatrixWorkload(double scale, int iterations = InPlaceTransformWorkload.DefaultIterations)
    {
        _iterations = iterations;
        _inPlace = new InPlaceTransformWorkload { Iterations = iterations };
        _copied = new CopiedTransformWorkload { Iterations = iterations };
        _initial = new double[Math.Max(Chunks, (int)(DefaultLength * scale))];
        PipelineTransform.Fill(_initial);
        _buffer = SharedArray<double>.Create(_initial.Length);
        var handle = _buffer.Handle; // writable: the workers write the transformed values back
        _sharedChunks = new SharedBufferChunk[Chunks];
        for (var i = 0; i < Chunks; i++)
        {
            var (start, length) = ChunkBounds(i);
            _sharedChunks[i] = new SharedBufferChunk(i, handle.Slice(start, length));
        }
    }

    public override string Name => "inplace";

    /// <summary>Gets the number of values in the buffer.</summary>
    public int Length => _initial.Length;

    /// <summary>Gets the checksum of the map applied value by value to a plain copy of the initial values: no chunks, no handles, no executor.</summary>
    public override string? ExpectedAnswer => _expected ??= ComputeExpected();

    public override int ItemCount(IWorkExecutor? executor) => Chunks;

    /// <summary>Gets a copy of the buffer's values as they are now.</summary>
    public double[] BufferContents() => _buffer.AsSpan().ToArray();

    /// <summary>Gets whether <paramref name="executor"/> receives handles to the buffer (memory shared with its workers) rather than copies of the chunks.</summary>
    public static bool SendsHandles(IWorkExecutor executor)
    {
        ArgumentNullException.ThrowIfNull(executor);
        return (executor.Capabilities & (ExecutorCapabilities.SharesMemory | ExecutorCapabilities.ZeroCopyBuffers)) != 0;
    }

    /// <summary>Puts the initial values back into the buffer.</summary>
    public override void PrepareRun()
    {
        _initial.CopyTo(_buffer.AsSpan());
        _changed = false;
    }

    public override async Task<string> RunAsync(IWorkExecutor? executor, CancellationToken cancellationToken)
    {
        if (_changed)
        {
            PrepareRun(); // Never transform the output of an earlier run, even for a caller that did not prepare.
        }

        _changed = true;
        long rewritten = 0;
        if (executor is null)
        {
            foreach (var chunk in _sharedChunks)
            {
                rewritten += _inPlace.Execute(chunk, SequentialContext).Count;
            }
        }
        else if (SendsHandles(executor))
        {
            await foreach (var summary in executor.MapAsync(_inPlace, _sharedChunks, cancellationToken: cancellationToken))
            {
                rewritten += summary.Count;
            }
        }
        else
        {
            await foreach (var transformed in executor.MapAsync(_copied, CopiedChunks(), cancellationToken: cancellationToken))
            {
                var (start, length) = ChunkBounds(transformed.Index);
                if (transformed.Values.Length != length)
                {
                    throw new InvalidOperationException($"Chunk {transformed.Index} came back with {transformed.Values.Length} values instead of {length}.");
                }

                transformed.Values.CopyTo(_buffer.AsSpan(start, length));
                rewritten += length;
            }
        }

        _rewritten = rewritten;
        return string.Create(CultureInfo.InvariantCulture, $"{rewritten:N0} values rewritten");
    }

    /// <summary>The checksum of the whole buffer as the run left it (and how many values the items reported, when that is not all of them).</summary>
    public override string AnswerAfterRun(string result)
    {
        var checksum = BufferTransform.Checksum(_buffer.AsSpan()).ToString();
        return _rewritten == Length ? checksum : string.Create(CultureInfo.InvariantCulture, $"{checksum} ({result} of {Length:N0})");
    }

    protected override long WireBytesPerItem(IWorkExecutor executor, IWorkSerializer serializer)
    {
        var (start, length) = ChunkBounds(0);
        return SendsHandles(executor)
            ? Weigh(serializer, _sharedChunks[0]) + Weigh(serializer, new BufferChunkSummary(0, length))
            : 2 * Weigh(serializer, new BufferChunk(0, _initial[start..(start + length)])); // the chunk goes out, and comes back the same size
    }

    public override void Dispose() => _buffer.Dispose();

    private (int Start, int Length) ChunkBounds(int i)
    {
        var start = (int)((long)_initial.Length * i / Chunks);
        return (start, (int)((long)_initial.Length * (i + 1) / Chunks) - start);
    }

    /// <summary>Copies each chunk out of the buffer as the executor takes it: what sending by value costs the caller.</summary>
    private IEnumerable<BufferChunk> CopiedChunks()
    {
        for (var i = 0; i < Chunks; i++)
        {
            var (start, length) = ChunkBounds(i);
            yield return new BufferChunk(i, _buffer.AsSpan(start, length).ToArray());
        }
    }

    private string ComputeExpected()
    {
        var values = (double[])_initial.Clone();
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = BufferTransform.Map(values[i], _iterations);
        }

        return BufferTransform.Checksum(values).ToString();
    }
}

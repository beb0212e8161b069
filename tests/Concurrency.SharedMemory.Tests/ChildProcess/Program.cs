using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Concurrency.SharedMemory;
using MessagePack;
using MessagePack.Resolvers;

// A child process for the multi-process tests. Handles travel as base64 MessagePack (contractless), as they will
// inside a process pool's inputs. It answers on stdout, one line per event, and takes further commands on stdin.
var options = MessagePackSerializerOptions.Standard.WithResolver(ContractlessStandardResolver.Instance);
SharedArrayHandle<long> Decode(string text) => MessagePackSerializer.Deserialize<SharedArrayHandle<long>>(Convert.FromBase64String(text), options);
string Encode(SharedArrayHandle<long> handle) => Convert.ToBase64String(MessagePackSerializer.Serialize(handle, options));
void Say(string line)
{
    Console.Out.WriteLine(line);
    Console.Out.Flush();
}

try
{
    switch (args[0])
    {
        case "open":
            {
                // Open once, report the sum, exit.
                using var view = Decode(args[1]).Open();
                Say("OK " + Sum(view.ReadOnlySpan));
                return 0;
            }

        case "hold":
            {
                // Keep a view open and obey commands: sum | write <index> <value> | reopen | exit.
                var handle = Decode(args[1]);
                var view = handle.Open();
                Say("OPEN " + Sum(view.ReadOnlySpan));
                while (Console.In.ReadLine() is { } line)
                {
                    var parts = line.Split(' ');
                    switch (parts[0])
                    {
                        case "sum":
                            Say("SUM " + Sum(view.ReadOnlySpan));
                            break;
                        case "write":
                            view.Span[int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture)] = long.Parse(parts[2], System.Globalization.CultureInfo.InvariantCulture);
                            Say("WRITTEN");
                            break;
                        case "reopen":
                            try
                            {
                                using var again = handle.Open();
                                Say("OK " + Sum(again.ReadOnlySpan));
                            }
                            catch (Exception e)
                            {
                                Say("ERR " + e.GetType().FullName + " " + e.Message);
                            }

                            break;
                        case "exit":
                            view.Dispose();
                            return 0;
                    }
                }

                return 0;
            }

        case "write-readonly":
            {
                // Write through a read-only view with unsafe code: the read-only mapping must make this fault.
                using var view = Decode(args[1]).Open();
                Say("OPENED");
                Unsafe.AsRef(in MemoryMarshal.GetReference(view.ReadOnlySpan)) = 12345;
                Say("WROTE");
                return 0;
            }

        case "create-and-hang":
            {
                // Create a segment and wait to be killed (or for stdin to close).
                var array = SharedArray<long>.Create(long.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture));
                array.AsSpan().Fill(7);
                Say("CREATED " + Encode(array.Handle));
                Console.In.ReadLine();
                array.Dispose();
                return 0;
            }

        case "create-and-exit":
            {
                // Create a segment and exit normally without disposing it.
                var array = SharedArray<long>.Create(16);
                Say("CREATED " + Encode(array.Handle));
                return 0;
            }

        case "increment":
            {
                using var counter = new SharedCounter(Decode(args[1]));
                var count = int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture);
                Say("READY");
                Console.In.ReadLine(); // start together
                for (var i = 0; i < count; i++)
                {
                    counter.Increment();
                }

                Say("DONE");
                return 0;
            }

        case "lock-and-hang":
            {
                using var gate = new SharedLock(Decode(args[1]));
                var acquisition = gate.Enter();
                Say("LOCKED " + acquisition);
                Console.In.ReadLine();
                gate.Exit();
                return 0;
            }

        case "lock-increment":
            {
                // A read-modify-write that is not atomic: exact only if the lock excludes.
                using var gate = new SharedLock(Decode(args[1]));
                using var data = Decode(args[2]).Open();
                var count = int.Parse(args[3], System.Globalization.CultureInfo.InvariantCulture);
                Say("READY");
                Console.In.ReadLine();
                var cell = data.Span;
                for (var i = 0; i < count; i++)
                {
                    gate.Enter();
                    var value = Volatile.Read(ref cell[0]);
                    Thread.SpinWait(10);
                    Volatile.Write(ref cell[0], value + 1);
                    gate.Exit();
                }

                Say("DONE");
                return 0;
            }

        case "full-shm":
            {
                // Run in a private tmpfs of a few MiB mounted over /dev/shm. Two arrays of 5/8 of it each: the second
                // must be refused (the first reserved its space), not created sparse to crash on first touch. Then
                // the tmpfs is filled to the last byte, and a shared-memory worker must still start and run.
                var free = new DriveInfo("/dev/shm").AvailableFreeSpace;
                using var first = SharedArray<byte>.Create(free * 5 / 8);
                try
                {
                    using var second = SharedArray<byte>.Create(free * 5 / 8);
                    second.AsSpan().Fill(1);
                    Say("CREATED");
                }
                catch (IOException e)
                {
                    Say("FULL " + e.Message);
                }

                Say("FILES " + Directory.GetFiles("/dev/shm").Length);
                using var filler = SharedArray<byte>.Create(new DriveInfo("/dev/shm").AvailableFreeSpace - 4096);
                Say("LEFT " + new DriveInfo("/dev/shm").AvailableFreeSpace);
                var executor = new Concurrency.SharedMemory.SharedMemoryExecutor(new SharedMemoryExecutorOptions { MaxConcurrency = 1 });
                try
                {
                    Say("RAN " + executor.SubmitAsync(new ChildWorkload(), 20).GetAwaiter().GetResult());
                }
                finally
                {
                    executor.DisposeAsync().AsTask().GetAwaiter().GetResult();
                }

                return 0;
            }

        default:
            Console.Error.WriteLine("unknown command " + args[0]);
            return 2;
    }
}
catch (Exception e)
{
    Say("ERR " + e.GetType().FullName + " " + e.Message);
    return 1;
}

static long Sum(ReadOnlySpan<long> values)
{
    long sum = 0;
    foreach (var value in values)
    {
        sum += value;
    }

    return sum;
}

/// <summary>A workload the child's shared-memory workers run: doubles its input.</summary>
public sealed class ChildWorkload : Concurrency.IWorkload<int, int>
{
    public int Execute(int input, Concurrency.WorkContext context) => input * 2;
}

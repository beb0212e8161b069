using System.Runtime.Versioning;

// The shared-memory tests exercise the Linux implementation (/dev/shm, futex, SIGKILL); the Windows path is not tested here.
[assembly: SupportedOSPlatform("linux")]

namespace Concurrency.SharedMemory;

/// <summary>How <see cref="SharedLock"/> was acquired.</summary>
public enum SharedLockAcquisition
{
    /// <summary>The lock was free or released normally by its previous holder.</summary>
    Acquired = 0,

    /// <summary>
    /// The previous holder died while holding the lock, and the lock was taken over from it: the state the lock
    /// protects may be half-updated; check or repair it before relying on it.
    /// </summary>
    PreviousOwnerDied = 1,
}

package dev.leasehold.lock.spi;

/** How {@link LeaseStore#awaitChange} returned. */
public enum AwaitOutcome {
    /**
     * The lock was released or may be free: try to acquire now. Returned at once when the lock is free at the call; may
     * be returned without cause, which costs the waiter an attempt but not a retry.
     */
    CHANGED,
    /** The wait ran out without a sign of change. */
    TIMED_OUT,
    /** The store cannot wake waiters; the engine sleeps the retry delay instead. */
    NOT_SUPPORTED
}

package dev.leasehold.lock.spi;

/** How {@link LeaseStore#awaitChange} returned. */
public enum AwaitOutcome {
    /** The lock was released or may be free: try to acquire now. */
    CHANGED,
    /** The wait ran out without a sign of change. */
    TIMED_OUT,
    /** The store cannot wake waiters; the engine sleeps the retry delay instead. */
    NOT_SUPPORTED
}

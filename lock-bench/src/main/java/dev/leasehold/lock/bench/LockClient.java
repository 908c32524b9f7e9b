package dev.leasehold.lock.bench;

import java.time.Duration;

/**
 * One variant's locks as one simulated process uses them: a try that never waits, a release, and (where the variant
 * can wait) an acquire that waits. Each implementation does what a user of that library or of raw JDBC would write.
 *
 * <p>Implementations are thread-safe.
 */
interface LockClient extends AutoCloseable {

    /** One attempt that never waits: what to release, or {@code null} when someone else holds the lock. */
    Held tryAcquire(String name) throws Exception;

    /**
     * Waits up to {@code maxWait} for the lock: what to release, or {@code null} when the wait ran out.
     *
     * @throws UnsupportedOperationException if the variant cannot wait (see {@link Variant#canWait()})
     */
    default Held acquire(String name, Duration maxWait) throws Exception {
        throw new UnsupportedOperationException("this variant cannot wait");
    }

    @Override
    void close();

    /** A granted lock. */
    @FunctionalInterface
    interface Held {
        void release() throws Exception;
    }
}

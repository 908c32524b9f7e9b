package dev.leasehold.lock;

/**
 * Work done while holding a lock; see {@link DistributedLock#runLocked(LockRunnable)}.
 *
 * @param <X> the exception the work may throw
 */
@FunctionalInterface
public interface LockRunnable<X extends Exception> {
    /** Does the work under the given lease. */
    void run(Lease lease) throws X;
}

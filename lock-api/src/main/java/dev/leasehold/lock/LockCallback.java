package dev.leasehold.lock;

/**
 * Work done while holding a lock, returning a value; see {@link DistributedLock#withLock(LockCallback)}.
 *
 * @param <T> the result type
 * @param <X> the exception the work may throw
 */
@FunctionalInterface
public interface LockCallback<T, X extends Exception> {
    /** Does the work under the given lease. */
    T call(Lease lease) throws X;
}

package dev.leasehold.lock;

import java.time.Duration;
import java.util.Optional;

/**
 * One named lock of a {@link LockManager}. Ownership belongs to the manager, not to a thread: a lease may be released
 * from any thread. Locks are not reentrant: asking a manager for a lock it already holds throws {@link
 * LockAlreadyHeldException} at once.
 *
 * <p>This interface's implementations are thread-safe.
 */
public interface DistributedLock {

    /** The lock name. */
    String name();

    /**
     * Acquires the lock, waiting as this lock's {@link RetryOptions} say.
     *
     * @throws LockAlreadyHeldException if another owner still holds it when the retries or the wait run out, or this
     *     manager holds it already
     * @throws LockInterruptedException if the thread is interrupted while waiting
     * @throws LockBackendException if the database keeps failing
     * @throws IllegalStateException if the manager is closed
     */
    Lease acquire();

    /**
     * Acquires the lock, trying again (as often as the retry delay allows, without a count limit) until {@code maxWait}
     * has passed. {@code Duration.ZERO} makes one attempt.
     *
     * @throws IllegalArgumentException if {@code maxWait} is null, negative or longer than a day
     * @see #acquire()
     */
    Lease acquire(Duration maxWait);

    /**
     * Makes one attempt and never waits.
     *
     * @return the lease, or empty if another owner holds the lock
     * @throws LockAlreadyHeldException if this manager holds it already
     * @throws LockBackendException if the database keeps failing
     * @throws IllegalStateException if the manager is closed
     */
    Optional<Lease> tryAcquire();

    /** Whether this manager holds the lock right now with a valid lease. Asks no database. */
    boolean isHeld();

    /**
     * Acquires the lock as {@link #acquire()} does, runs {@code callback} and releases the lock however the callback
     * ends. Exceptions of the callback pass through unchanged.
     *
     * @throws LockExpiredException if the lease was lost before the callback finished (the callback's own exception,
     *     if any, wins and carries this one as suppressed)
     */
    <T, X extends Exception> T withLock(LockCallback<T, X> callback) throws X;

    /** {@link #withLock(LockCallback)} for work without a result. */
    <X extends Exception> void runLocked(LockRunnable<X> callback) throws X;
}

package dev.leasehold.lock;

/**
 * The thread was interrupted while it waited for a lock. The interrupt flag is set again before this is thrown, and
 * nothing is left held by the interrupted attempt.
 */
public final class LockInterruptedException extends LockException {

    private static final long serialVersionUID = 1L;

    public LockInterruptedException(String lockName, InterruptedException cause) {
        super(lockName, "interrupted while waiting for lock '" + lockName + "'", cause);
    }
}

package dev.leasehold.lock;

/**
 * A lease is gone: it expired, or another owner took the lock over, or its renewals kept failing until its local
 * deadline passed. Thrown by {@link Lease#extend(java.time.Duration)} and {@link Lease#release()} on a lost lease, and
 * handed to every {@link Lease#onLost(java.util.function.Consumer)} listener. A holder that sees it must assume that
 * someone else may hold the lock now.
 */
public final class LockExpiredException extends LockException {

    private static final long serialVersionUID = 1L;

    private final long token;

    public LockExpiredException(String lockName, long token, String message, Throwable cause) {
        super(lockName, message, cause);
        this.token = token;
    }

    /** The fencing token of the lost lease. */
    public long token() {
        return token;
    }
}

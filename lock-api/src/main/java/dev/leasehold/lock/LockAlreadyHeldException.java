package dev.leasehold.lock;

import java.util.Optional;

/**
 * The lock is held and could not be acquired: another owner held it until the retries or the wait ran out, or this
 * very manager already holds it (locks are not reentrant). Carries the holder's {@link LockInfo} when it is known.
 */
public final class LockAlreadyHeldException extends LockException {

    private static final long serialVersionUID = 1L;

    private final transient LockInfo holder;
    private final boolean heldByThisManager;

    public LockAlreadyHeldException(String lockName, LockInfo holder, boolean heldByThisManager, String message) {
        super(lockName, message, null);
        this.holder = holder;
        this.heldByThisManager = heldByThisManager;
    }

    /** The current holder as the database last showed it, when known. */
    public Optional<LockInfo> holder() {
        return Optional.ofNullable(holder);
    }

    /** Whether the lock is held by the manager that was asked to acquire it again (a reentrant acquire). */
    public boolean heldByThisManager() {
        return heldByThisManager;
    }
}

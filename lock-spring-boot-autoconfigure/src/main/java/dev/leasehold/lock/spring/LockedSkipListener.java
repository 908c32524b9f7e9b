package dev.leasehold.lock.spring;

import java.lang.reflect.Method;

/**
 * Told when a {@link Locked.OnHeld#SKIP SKIP} call of a {@link Locked @Locked} method is skipped. Define it as a bean:
 * every such bean of the context is told, in order; the metrics auto-configuration defines one that counts skips.
 *
 * <p>It runs on the calling thread, after the skip was decided; what it throws is logged and never reaches the caller.
 * Implementations must be thread-safe.
 */
@FunctionalInterface
public interface LockedSkipListener {

    /** Why a call was skipped. */
    enum Reason {
        /** Another owner held the lock. */
        HELD,
        /** The application is shutting down and takes no new locks. */
        SHUTTING_DOWN
    }

    /**
     * A call was skipped.
     *
     * @param method the {@code @Locked} method
     * @param lockName the lock's name, or null when the call was skipped before it was worked out (shutting down)
     * @param reason why
     */
    void skipped(Method method, String lockName, Reason reason);
}

package dev.leasehold.lock;

/**
 * Told what a {@link LockManager}'s engine does: acquire calls and their outcome, leases acquired, released and lost,
 * and heartbeat renewals. Register it with {@link Locks.Builder#listener(LockListener)}; metrics bind through it (see
 * {@code dev.leasehold:lock-micrometer}) without wrapping the manager.
 *
 * <p>Each event is delivered exactly once, on the thread where it happens: the caller's thread for acquires, releases
 * and losses found by {@code release} or {@code extend}, the manager's heartbeat threads for renewals and most losses.
 * A method should therefore return quickly and must not call back into the manager. What it throws is caught and
 * logged; it never reaches the caller nor stops the engine. Every method does nothing by default.
 *
 * <p>Implementations must be thread-safe: one listener may serve several managers, and events arrive concurrently.
 */
public interface LockListener {

    /**
     * A call to {@code tryAcquire}, {@code acquire}, {@code withLock} or {@code runLocked} ended: acquired, held
     * elsewhere (contention, including a wait that ran out), or failed in the database. Misuse (a reentrant acquire, a
     * closed manager, an interrupt) is not reported.
     */
    default void acquireAttempted(LockEvents.AcquireAttempt event) {}

    /** A lease was granted and is now held and renewed by its manager. */
    default void leaseAcquired(LockEvents.LeaseAcquired event) {}

    /** A held lease ended by a release: the holder's own, or its manager's while closing. */
    default void leaseReleased(LockEvents.LeaseReleased event) {}

    /** A heartbeat renewal of one lease ended (a renewal with {@code Lease.extend} is not reported). */
    default void renewed(LockEvents.Renewal event) {}

    /** A held lease was lost; its {@code onLost} listeners run after this. */
    default void leaseLost(LockEvents.LeaseLost event) {}
}

package dev.leasehold.lock;

import java.util.Optional;

/**
 * The entry point to a backend's locks: hands out {@link DistributedLock}s by name, renews every lease it holds on one
 * heartbeat scheduler, and releases them all when closed. Build one with {@link Locks#builder()} and share it.
 *
 * <p>This interface's implementations are thread-safe.
 */
public interface LockManager extends AutoCloseable {

    /**
     * The lock of that name with this manager's settings. Cheap: asks no database.
     *
     * @throws IllegalArgumentException if the name is null, blank, longer than 255 characters, or contains NUL or a
     *     lone surrogate
     * @throws IllegalStateException if the manager is closed
     */
    DistributedLock lock(String name);

    /**
     * The lock of that name with per-lock options over this manager's settings.
     *
     * @throws IllegalArgumentException if the name or options are invalid, or the options' heartbeat is not shorter
     *     than their lease time
     * @throws IllegalStateException if the manager is closed
     */
    DistributedLock lock(String name, LockOptions options);

    /**
     * The current holder of the lock as the database sees it, or empty when nobody holds it (never held, released, or
     * expired).
     *
     * @throws LockBackendException if the database keeps failing
     * @throws IllegalStateException if the manager is closed
     */
    Optional<LockInfo> inspect(String name);

    /** This manager's owner id. */
    String ownerId();

    /**
     * Shuts the manager down gracefully: lets work running under its locks finish, up to {@link
     * LockSettings#drainTimeout()}, then releases every lease it still holds. In this order:
     *
     * <ol>
     *   <li>From the moment of the call, {@code lock}, {@code acquire}, {@code tryAcquire} and {@code inspect} throw
     *       {@link IllegalStateException}; threads waiting in {@code acquire} for a lock held elsewhere stop waiting
     *       and throw it too.
     *   <li>Work running under {@link DistributedLock#withLock withLock} or {@link DistributedLock#runLocked runLocked}
     *       on other threads is waited for, up to the drain timeout (default: the lease time; zero: no wait). The
     *       heartbeat keeps renewing every lease meanwhile, and each such work's lease is released when it returns.
     *   <li>The heartbeat stops.
     *   <li>A lease whose work still runs is lost: its {@link Lease#onLost} listeners run once, on the closing thread,
     *       with a reason saying that the manager closed while the work was still running, and the lease is
     *       <em>not</em> released: it stays in the database until it expires by the database clock, so nobody else is
     *       granted the lock while that work may still use it. When the work returns, {@code withLock} throws {@link
     *       LockExpiredException} (or adds it as suppressed to the work's own exception).
     *   <li>Every other lease still held is released, leases acquired with {@code acquire} or {@code tryAcquire}
     *       included; a lease that cannot be released expires on its own. Then the backend's resources are freed.
     * </ol>
     *
     * <p>Called from work running under one of this manager's locks, {@code close()} does not wait for that work (it
     * cannot finish first): its lease is lost and left to expire as in step 4, and the caller's {@code withLock} then
     * throws {@link LockExpiredException}. Closing twice does nothing; a call made while another thread closes the
     * manager returns when that close is done. An interrupt of the closing thread ends the drain early and stays set.
     */
    @Override
    void close();
}

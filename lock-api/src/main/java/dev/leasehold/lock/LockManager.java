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
     * Stops the heartbeats and releases every lease this manager still holds (a lease that cannot be released expires
     * on its own). Closing twice does nothing; any other use afterwards throws {@link IllegalStateException}.
     */
    @Override
    void close();
}

package dev.leasehold.lock.core;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.internal.Engine;
import dev.leasehold.lock.core.internal.EngineAccess;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Duration;
import java.util.Optional;

/**
 * A complete {@link LockManager} built on a {@link LeaseStore}: what a backend's {@link
 * dev.leasehold.lock.spi.LockProvider#create} returns, directly or as the base of the backend's own
 * manager type, which adds what only that backend can do (a transactional check on its connections, say). The engine
 * behind it gives every backend the same behaviour: local deadlines from {@link System#nanoTime()}, one heartbeat
 * scheduler per manager renewing leases together through {@link LeaseStore#renewAll}, lost-lease signals, waiting
 * through a Failsafe retry policy (or {@link LeaseStore#awaitChange} when the store can wake waiters), retries of
 * transient database failures ({@link dev.leasehold.lock.spi.SqlFailures}), non-reentrant locks, and a graceful
 * {@link #close()}.
 *
 * <p>The manager owns the store: closing the manager closes it.
 *
 * <p>This class is thread-safe.
 */
public class LeaseLockManager implements LockManager {

    static {
        EngineAccess.register(manager -> manager.engine);
    }

    private final Engine engine;

    /**
     * A manager over {@code store} with these settings (lease time, heartbeat, retries, owner id; the resources in
     * them are the backend's business); a backend's own manager type calls it as its super constructor.
     *
     * @throws IllegalArgumentException if {@code store} or {@code settings} is null
     */
    public LeaseLockManager(LeaseStore store, LockSettings settings) {
        this(store, settings, null);
    }

    /**
     * As {@link #LeaseLockManager(LeaseStore, LockSettings)}, for a backend that names itself in the events its
     * manager reports to {@link dev.leasehold.lock.LockListener}s, however the manager was built. Without a name, the
     * events carry {@link LockSettings#backend()}, else the store's simple class name.
     *
     * @param backend the backend's name, as its provider's {@code name()}; null for the default
     * @throws IllegalArgumentException if {@code store} or {@code settings} is null
     */
    protected LeaseLockManager(LeaseStore store, LockSettings settings, String backend) {
        this.engine = new Engine(store, settings, backend);
    }

    @Override
    public final DistributedLock lock(String name) {
        return engine.lock(name);
    }

    @Override
    public final DistributedLock lock(String name, LockOptions options) {
        return engine.lock(name, options);
    }

    @Override
    public final Optional<LockInfo> inspect(String name) {
        return engine.inspect(name);
    }

    @Override
    public final String ownerId() {
        return engine.ownerId();
    }

    /** The settings this manager was built with. */
    public final LockSettings settings() {
        return engine.settings();
    }

    /** How many leases this manager holds and keeps alive right now. */
    public final int heldLeaseCount() {
        return engine.heldLeaseCount();
    }

    /**
     * Purges idle names: forgets, in the store, every lock that has been free for longer than {@code idleFor} by the
     * database clock (released, or its lease expired, that long ago), so that one-off lock names ({@code invoice-42},
     * one per file, one per tenant) do not each keep a row forever. Tokens still never go back: a purged name locked
     * again gets a token larger than every token it had, from a floor the purge raises in the same transaction as it
     * deletes. A held lease, or a lock within its minimum hold, is never purged; a name locked while the purge runs is
     * kept. The lease table purges in batches of about a thousand names, one short transaction each, during which
     * locks of names that have no row wait for it (at most the row lock timeout, then a try reports the lock held).
     *
     * <p>Every manager on the table must know the token floor (this version or later) before anyone purges: an older
     * one would start a purged name again from token 1. {@link LockSettings.SettingsBuilder#purgeIdleAfter} runs this
     * periodically.
     *
     * @param idleFor how long a lock must have been free; positive, at most ten years
     * @return how many names were purged
     * @throws IllegalArgumentException if {@code idleFor} is null, not positive or longer than ten years; checked
     *     before the store is asked
     * @throws IllegalStateException if the manager is closed
     * @throws UnsupportedOperationException if the backend's store cannot purge
     * @throws dev.leasehold.lock.LockBackendException if the database fails (after retries of transient failures),
     *     with its SQLState
     */
    public final long purgeIdle(Duration idleFor) {
        return engine.purgeIdle(idleFor);
    }

    /** Closes gracefully, as {@link LockManager#close()} describes, then closes the store. */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}

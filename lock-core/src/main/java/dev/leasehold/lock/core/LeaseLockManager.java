package dev.leasehold.lock.core;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.internal.Engine;
import dev.leasehold.lock.spi.LeaseStore;
import java.util.Optional;

/**
 * A complete {@link LockManager} built on a {@link LeaseStore}: what a backend's {@link
 * dev.leasehold.lock.spi.LockProvider#create} returns. The engine behind it gives every backend the same behaviour:
 * local deadlines from {@link System#nanoTime()}, one heartbeat scheduler per manager renewing leases together through
 * {@link LeaseStore#renewAll}, lost-lease signals, waiting through a Failsafe retry policy (or {@link
 * LeaseStore#awaitChange} when the store can wake waiters), retries of transient database failures by SQLState,
 * non-reentrant locks, and a graceful {@link #close()}: work running under {@code withLock} is waited for up to the
 * settings' drain timeout, then every held lease is released, except those of work still running, which are lost and
 * left to expire by the database clock.
 *
 * <p>The manager owns the store: closing the manager closes it. When work outlived the drain, the store is closed only
 * once that work has returned, or one lease time after the drain at the latest, so that a store whose locks live in
 * its database session (advisory locks) does not free them under the work.
 *
 * <p>This class is thread-safe.
 */
public final class LeaseLockManager implements LockManager {

    private final Engine engine;

    private LeaseLockManager(Engine engine) {
        this.engine = engine;
    }

    /**
     * A manager over {@code store} with these settings (lease time, heartbeat, retries, owner id; the resources in
     * them are the backend's business).
     *
     * @throws IllegalArgumentException if {@code store} or {@code settings} is null
     */
    public static LeaseLockManager create(LeaseStore store, LockSettings settings) {
        return new LeaseLockManager(new Engine(store, settings));
    }

    @Override
    public DistributedLock lock(String name) {
        return engine.lock(name);
    }

    @Override
    public DistributedLock lock(String name, LockOptions options) {
        return engine.lock(name, options);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        return engine.inspect(name);
    }

    @Override
    public String ownerId() {
        return engine.ownerId();
    }

    /** The settings this manager was built with. */
    public LockSettings settings() {
        return engine.settings();
    }

    /** How many leases this manager holds and keeps alive right now. */
    public int heldLeaseCount() {
        return engine.heldLeaseCount();
    }

    /**
     * Simulates a crash of this manager's process, for tests: stops the heartbeat and forgets every lease without
     * releasing it, so that the leases stay in the store until they expire. The store is not closed (a test closes it
     * itself to simulate lost connections). Afterwards the manager behaves as closed.
     */
    public void abandon() {
        engine.abandon();
    }

    /** Closes gracefully, as {@link LockManager#close()} describes; see the class description for the store. */
    @Override
    public void close() {
        engine.close();
    }

    @Override
    public String toString() {
        return engine.toString();
    }
}

package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.internal.FaultyLeaseStore;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The fixture of a backend built on a {@link LeaseStore}: implement {@link #newStore(LockSettings)} and get every TCK
 * capability. Each manager gets a store of its own (its own connections), all over the same shared data; the fixture
 * wraps each store to inject faults and count calls.
 *
 * <p>This class is thread-safe.
 */
public abstract class LeaseStoreFixture implements TckFixture {

    private final Map<LockManager, FaultyLeaseStore> stores = new ConcurrentHashMap<>();
    private volatile boolean down;

    /** A new store over the shared data, for one manager with these settings. */
    protected abstract LeaseStore newStore(LockSettings settings);

    /**
     * Called when a manager crashes, after its leases were abandoned: a backend whose locks live in a connection
     * closes it here without unlocking. The default does nothing (leases then expire on their own).
     */
    protected void crashStore(LeaseStore store) {}

    @Override
    public LockManager newManager(LockSettings settings) {
        FaultyLeaseStore store = new FaultyLeaseStore(newStore(settings));
        store.down(down);
        LeaseLockManager manager = new LeaseLockManager(store, settings);
        stores.put(manager, store);
        return manager;
    }

    @Override
    public void crash(LockManager manager) {
        TckFixture.super.crash(manager);
        FaultyLeaseStore store = stores.get(manager);
        if (store != null) {
            crashStore(store.delegate());
        }
    }

    @Override
    public Optional<LeaseStore> store(LockManager manager) {
        return Optional.ofNullable(stores.get(manager)).map(FaultyLeaseStore::delegate);
    }

    @Override
    public Optional<Faults> faults(LockManager manager) {
        return Optional.ofNullable(stores.get(manager));
    }

    /**
     * Simulates a database restart for a store whose data lives in this JVM, as {@link #restartDatabase} of such a
     * fixture may: for {@code downtime}, every call of every manager's store fails with SQLState 08001 (connection
     * refused), as calls to a database that is down do; then {@code restart} runs (what the store's database does when
     * it starts again: nothing, for a store that keeps every commit); then the calls go through again. A fixture over
     * a real database restarts that instead.
     *
     * @param downtime how long every call fails, zero or more
     * @param restart what the store does when it comes back
     */
    protected void simulateRestart(Duration downtime, Runnable restart) {
        if (downtime == null || downtime.isNegative()) {
            throw new IllegalArgumentException("downtime is " + downtime + "; pass zero or a positive duration");
        }
        setDown(true);
        try {
            // The downtime is what the caller asked for, not a wait for something to happen.
            TimeUnit.NANOSECONDS.sleep(downtime.toNanos());
            restart.run();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted during a simulated restart", e);
        } finally {
            setDown(false);
        }
    }

    private void setDown(boolean value) {
        down = value;
        for (FaultyLeaseStore store : stores.values()) {
            store.down(value);
        }
    }

    /** Forgets a closed manager. */
    public void forget(LockManager manager) {
        stores.remove(manager);
    }
}

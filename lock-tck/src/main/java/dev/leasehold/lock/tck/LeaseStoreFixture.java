package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.internal.FaultyLeaseStore;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The fixture of a backend built on a {@link LeaseStore}: implement {@link #newStore(LockSettings)} and get every TCK
 * capability. Each manager gets a store of its own (its own connections), all over the same shared data; the fixture
 * wraps each store to inject faults and count calls.
 *
 * <p>This class is thread-safe.
 */
public abstract class LeaseStoreFixture implements TckFixture {

    private final Map<LockManager, FaultyLeaseStore> stores = new ConcurrentHashMap<>();

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
        LeaseLockManager manager = LeaseLockManager.create(store, settings);
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

    /** Forgets a closed manager. */
    public void forget(LockManager manager) {
        stores.remove(manager);
    }
}

package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LeaseStore;

/** The reference store passes the whole TCK. */
class InMemoryTckTest extends LeaseholdTck {

    private final InMemoryLeaseStore store = new InMemoryLeaseStore();

    @Override
    protected TckFixture createFixture() {
        return new LeaseStoreFixture() {
            @Override
            protected LeaseStore newStore(LockSettings settings) {
                return store;
            }
        };
    }
}

package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.internal.SkewableClock;
import java.time.Duration;

/**
 * The reference store passes the whole TCK; its restarts are simulated ({@link LeaseStoreFixture#simulateRestart}):
 * every call fails as calls to a database that is down do, and the store keeps every grant. Its clock, which plays the
 * database's, can be skewed against the JVM's ({@link TckFixture#skewStoreClock}).
 */
class InMemoryTckTest extends LeaseholdTck {

    private final SkewableClock clock = new SkewableClock();
    private final InMemoryLeaseStore store = new InMemoryLeaseStore(clock);

    @Override
    protected TckFixture createFixture() {
        return new LeaseStoreFixture() {
            @Override
            protected LeaseStore newStore(LockSettings settings) {
                return store;
            }

            @Override
            public void skewStoreClock(Duration offset) {
                clock.skew(offset);
            }

            @Override
            public void restartDatabase(Duration downtime) {
                simulateRestart(downtime, () -> {});
            }
        };
    }
}

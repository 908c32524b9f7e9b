package dev.leasehold.lock.tck;

import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.tck.internal.SkewableClock;
import java.sql.SQLException;
import java.sql.SQLTransientException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;

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
                return new FailingConnection(store);
            }

            @Override
            public AutoCloseable failInsideStore(LockManager manager) {
                FailingConnection connection =
                        (FailingConnection) store(manager).orElseThrow();
                connection.fails = true;
                return () -> connection.fails = false;
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

    /**
     * The reference store as each manager reaches it: the in-memory store has no connection of its own, so its
     * connection failures are played here, under the engine and its fault injection, with SQLState 40001.
     */
    private static final class FailingConnection extends ForwardingLeaseStore {
        volatile boolean fails;

        FailingConnection(LeaseStore store) {
            super(store);
        }

        private void check() throws SQLException {
            if (fails) {
                throw new SQLTransientException("injected by the test: the connection failed", "40001");
            }
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            check();
            return super.tryAcquire(name, owner, leaseTime);
        }

        @Override
        public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
            check();
            return super.renew(name, owner, token, leaseTime);
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            check();
            return super.renewAll(owner, leases, leaseTime);
        }

        @Override
        public boolean release(String name, String owner, long token) throws SQLException {
            check();
            return super.release(name, owner, token);
        }

        @Override
        public Optional<LockInfo> inspect(String name) throws SQLException {
            check();
            return super.inspect(name);
        }
    }
}

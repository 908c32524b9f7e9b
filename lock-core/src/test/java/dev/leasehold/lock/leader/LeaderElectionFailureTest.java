package dev.leasehold.lock.leader;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockCallback;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockRunnable;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.testing.TestTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * An election over a lock manager that fails where this engine never does: the election stops, and gives back the
 * lease it holds rather than leave it renewed by a heartbeat that nobody leads with.
 */
class LeaderElectionFailureTest {

    private static final String NAME = "broken";

    private final TestTimes env = TestTimes.fromEnvironment();

    /** The real in-memory manager, except that {@link Lease#onLost} of its leases throws, and counts its calls. */
    private static final class ThrowingOnLost implements LockManager {
        final LockManager delegate;
        final AtomicInteger onLostCalls = new AtomicInteger();

        ThrowingOnLost(LockManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public DistributedLock lock(String name) {
            return new Lock(delegate.lock(name));
        }

        @Override
        public DistributedLock lock(String name, LockOptions options) {
            return new Lock(delegate.lock(name, options));
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return delegate.inspect(name);
        }

        @Override
        public String ownerId() {
            return delegate.ownerId();
        }

        @Override
        public void close() {
            delegate.close();
        }

        private final class Lock implements DistributedLock {
            final DistributedLock lock;

            Lock(DistributedLock lock) {
                this.lock = lock;
            }

            @Override
            public String name() {
                return lock.name();
            }

            @Override
            public Lease acquire() {
                return new Held(lock.acquire());
            }

            @Override
            public Lease acquire(Duration maxWait) {
                return new Held(lock.acquire(maxWait));
            }

            @Override
            public Optional<Lease> tryAcquire() {
                return lock.tryAcquire().map(Held::new);
            }

            @Override
            public boolean isHeld() {
                return lock.isHeld();
            }

            @Override
            public <T, X extends Exception> T withLock(LockCallback<T, X> callback) throws X {
                return lock.withLock(callback);
            }

            @Override
            public <X extends Exception> void runLocked(LockRunnable<X> callback) throws X {
                lock.runLocked(callback);
            }
        }

        private final class Held implements Lease {
            final Lease lease;

            Held(Lease lease) {
                this.lease = lease;
            }

            @Override
            public Lease onLost(Consumer<LockExpiredException> listener) {
                onLostCalls.incrementAndGet();
                throw new UnsupportedOperationException("this manager cannot tell a lost lease");
            }

            @Override
            public String name() {
                return lease.name();
            }

            @Override
            public long token() {
                return lease.token();
            }

            @Override
            public String ownerId() {
                return lease.ownerId();
            }

            @Override
            public Instant acquiredAt() {
                return lease.acquiredAt();
            }

            @Override
            public Instant expiresAt() {
                return lease.expiresAt();
            }

            @Override
            public boolean isValid() {
                return lease.isValid();
            }

            @Override
            public Duration validFor() {
                return lease.validFor();
            }

            @Override
            public void extend(Duration leaseTime) {
                lease.extend(leaseTime);
            }

            @Override
            public void release() {
                lease.release();
            }

            @Override
            public void release(Duration minHold) {
                lease.release(minHold);
            }

            @Override
            public void close() {
                lease.close();
            }
        }
    }

    @Test
    void anElectionStoppedByAnUnexpectedFailureGivesItsLeaseBack() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        ThrowingOnLost manager = new ThrowingOnLost(new LeaseLockManager(
                store,
                LockSettings.builder()
                        .ownerId("broken")
                        .leaseTime(env.leaseTime())
                        .heartbeatInterval(env.heartbeat())
                        .build()));
        AtomicInteger elected = new AtomicInteger();
        try (manager;
                LeaderElection election = LeaderElection.builder(manager, NAME)
                        .pollInterval(Duration.ofHours(1))
                        .onElected(lease -> elected.incrementAndGet())
                        .build()) {
            election.start();

            await().atMost(env.patience()).until(() -> manager.onLostCalls.get() == 1);

            // The heartbeat would keep the lease for as long as the manager is open: only a release frees it.
            await().atMost(env.patience()).until(() -> store.inspect(NAME).isEmpty());
            assertThat(election.isLeader()).isFalse();
            assertThat(elected).hasValue(0);
        }
    }
}

package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The engine renews a manager's leases together: one store call per heartbeat interval, however many leases. */
class HeartbeatBatchingTest {

    /** Records the size of every renewAll batch and counts single renewals. */
    static final class RecordingStore extends ForwardingLeaseStore {
        final List<Integer> batches = Collections.synchronizedList(new ArrayList<>());
        final AtomicInteger singleRenewals = new AtomicInteger();

        RecordingStore() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
            singleRenewals.incrementAndGet();
            return super.renew(name, owner, token, leaseTime);
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            batches.add(leases.size());
            return super.renewAll(owner, leases, leaseTime);
        }
    }

    @Test
    void aThousandLeasesAreRenewedByOneCallPerHeartbeatInterval() throws Exception {
        TestTimes env = TestTimes.fromEnvironment();
        Duration heartbeat = env.scaled(Duration.ofMillis(500));
        RecordingStore store = new RecordingStore();
        try (LeaseLockManager manager = new LeaseLockManager(
                store,
                LockSettings.builder()
                        .leaseTime(heartbeat.multipliedBy(4))
                        .heartbeatInterval(heartbeat)
                        .retry(RetryOptions.none())
                        .build())) {
            for (int i = 0; i < 1000; i++) {
                manager.lock("batch-" + i).tryAcquire().orElseThrow();
            }
            assertThat(manager.heldLeaseCount()).isEqualTo(1000);
            await().atMost(env.patience()).until(() -> store.batches.contains(1000));
            int first = store.batches.lastIndexOf(1000);
            long start = System.nanoTime();
            await().atMost(env.patience()).until(() -> store.batches.size() >= first + 5);
            Duration elapsed = Duration.ofNanos(System.nanoTime() - start);
            List<Integer> after = List.copyOf(store.batches.subList(first, first + 5));
            assertThat(after).as("leases per renewAll call").containsOnly(1000);
            assertThat(elapsed)
                    .as("time for 4 more calls, at one per %s", heartbeat)
                    .isGreaterThanOrEqualTo(heartbeat.multipliedBy(4).minus(heartbeat.dividedBy(2)));
            assertThat(store.singleRenewals).as("renew calls outside renewAll").hasValue(0);
        }
    }
}

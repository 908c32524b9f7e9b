package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** abandon() stops the periodic purge at once, as close() does, rather than leaving its thread to the next run. */
class AbandonedPurgeTest {

    /** The reference store, telling the test when the first purge ran and on which thread. */
    private static final class Store extends ForwardingLeaseStore {
        final CountDownLatch purged = new CountDownLatch(1);
        final AtomicReference<Thread> purgedOn = new AtomicReference<>();

        Store() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public long purgeIdle(Duration idleFor) throws SQLException {
            purgedOn.set(Thread.currentThread());
            purged.countDown();
            return super.purgeIdle(idleFor);
        }
    }

    @Test
    void anAbandonedManagerStopsItsPeriodicPurge() throws InterruptedException {
        Store store = new Store();
        // Idle for a week: a run every hour, the first within 10 s of the start at a random point. After the first
        // run, only a stopped schedule ends the purge thread within the test's patience.
        Engine engine = new Engine(
                store,
                LockSettings.builder()
                        .ownerId("abandoned-purge")
                        .purgeIdleAfter(Duration.ofDays(7))
                        .build(),
                null);
        assertThat(store.purged.await(PeriodicPurge.FIRST_RUN_WITHIN_SECONDS + 5, TimeUnit.SECONDS))
                .as("the first periodic purge ran")
                .isTrue();
        Thread purger = store.purgedOn.get();

        engine.abandon();

        await().atMost(Duration.ofSeconds(5)).until(() -> !purger.isAlive());
        store.close(); // abandon() leaves the store open
    }
}

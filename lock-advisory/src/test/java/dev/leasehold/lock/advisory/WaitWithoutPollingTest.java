package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.advisory.internal.ConnectionSource;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 acceptance: a waiter blocks in the database (a shared advisory lock request, visible in {@code pg_locks}
 * as not granted) and wakes on release, with no acquire attempt in between, although its retry delay is 10 s.
 */
class WaitWithoutPollingTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("WaitWithoutPollingTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aWaiterBlocksInTheDatabaseAndWakesOnReleaseWithoutPolling() throws Exception {
        String name = "wake-" + System.nanoTime();
        LockSettings holderSettings =
                TestSupport.settings(PREFIX, Duration.ofSeconds(30)).build();
        LockSettings waiterSettings = TestSupport.settings(PREFIX, Duration.ofSeconds(30))
                .retry(RetryOptions.builder()
                        .maxRetries(1)
                        .delay(Duration.ofSeconds(10))
                        .build())
                .build();
        try (TestPool holderPool = DB.newPool("adv-holder", 4);
                TestPool waiterPool = DB.newPool("adv-waiter", 4);
                AdvisoryLockManager holder = AdvisoryLockManager.create(holderPool, holderSettings)) {
            AdvisoryLeaseStore store = AdvisoryLeaseStore.open(
                    ConnectionSource.of(waiterPool),
                    Jdbi.create(waiterPool),
                    waiterSettings,
                    AdvisoryOptions.defaults());
            CountingStore counting = new CountingStore(store);
            try (LeaseLockManager waiter = new LeaseLockManager(counting, waiterSettings)) {
                // A lease taken on the store itself (not counted) shows which backend is the waiter's session.
                String other = name + "-other";
                LeaseGrant otherGrant = store.tryAcquire(other, waiter.ownerId(), Duration.ofSeconds(30))
                        .orElseThrow();
                int waiterSession = TestSupport.sessionHolding(holder.keyOf(other));
                long key = holder.keyOf(name);
                Lease held = holder.lock(name).tryAcquire().orElseThrow();
                CompletableFuture<Lease> waiting =
                        CompletableFuture.supplyAsync(() -> waiter.lock(name).acquire());

                await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> !TestSupport.waitersFor(key).isEmpty());
                assertThat(TestSupport.waitersFor(key))
                        .as("the waiting backend is a pooled connection, not the waiter's session")
                        .doesNotContain(waiterSession);
                Thread.sleep(300);
                assertThat(counting.tryAcquires)
                        .as("attempts before the release")
                        .hasValue(1);
                assertThat(waiting).isNotDone();

                long releasedAt = System.nanoTime();
                held.release();
                Lease got = waiting.get(5, TimeUnit.SECONDS);
                Duration wake = Duration.ofNanos(System.nanoTime() - releasedAt);
                System.out.println("release -> waiter acquired: " + wake.toMillis() + " ms");

                assertThat(wake).isLessThan(Duration.ofMillis(500));
                assertThat(counting.tryAcquires).as("attempts in all").hasValue(2);
                assertThat(counting.awaits).as("waits").hasValue(1);
                assertThat(got.token()).isGreaterThan(held.token());
                assertThat(TestSupport.waitersFor(key)).isEmpty();
                got.release();
                assertThat(store.release(other, waiter.ownerId(), otherGrant.token()))
                        .isTrue();
            }
        }
    }
}

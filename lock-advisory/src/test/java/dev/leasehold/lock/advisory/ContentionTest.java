package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.tck.db.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Many threads of two managers on one name: threads of one manager share one session, where PostgreSQL would let a
 * second lock of the key succeed (locks stack per session). No two holders ever overlap, no release ever finds its
 * lease taken over by a thread of its own manager, and tokens grow in holding order.
 */
class ContentionTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("ContentionTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void threadsSharingASessionNeverOverlapAndNeverStealFromEachOther() throws Exception {
        String name = "contention-" + System.nanoTime();
        RetryOptions retry = RetryOptions.builder()
                .maxRetries(-1)
                .delay(Duration.ofMillis(200))
                .maxWait(Duration.ofSeconds(60))
                .build();
        int threadsPerManager = 4;
        int iterations = 40;
        try (HikariDataSource poolA = TestSupport.pool(DB, TestSupport.poolName("cont-a"), 8);
                HikariDataSource poolB = TestSupport.pool(DB, TestSupport.poolName("cont-b"), 8);
                AdvisoryLockManager a = AdvisoryLockManager.create(
                        poolA,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(10))
                                .retry(retry)
                                .build());
                AdvisoryLockManager b = AdvisoryLockManager.create(
                        poolB,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(10))
                                .retry(retry)
                                .build())) {
            AtomicInteger holders = new AtomicInteger();
            AtomicInteger maxHolders = new AtomicInteger();
            AtomicInteger counter = new AtomicInteger();
            List<Long> tokens = Collections.synchronizedList(new ArrayList<>());
            List<Throwable> failures = Collections.synchronizedList(new ArrayList<>());
            ExecutorService threads = Executors.newFixedThreadPool(2 * threadsPerManager);
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> futures = new ArrayList<>();
            for (int t = 0; t < 2 * threadsPerManager; t++) {
                AdvisoryLockManager manager = t % 2 == 0 ? a : b;
                futures.add(threads.submit(() -> {
                    start.await();
                    for (int i = 0; i < iterations; i++) {
                        try {
                            manager.lock(name).runLocked(lease -> {
                                maxHolders.accumulateAndGet(holders.incrementAndGet(), Math::max);
                                tokens.add(lease.token());
                                int read = counter.get();
                                Thread.yield();
                                counter.set(read + 1);
                                holders.decrementAndGet();
                            });
                        } catch (RuntimeException e) {
                            failures.add(e);
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> f : futures) {
                f.get(120, TimeUnit.SECONDS);
            }
            threads.shutdown();
            int sections = 2 * threadsPerManager * iterations;
            assertThat(failures).as("failures").isEmpty();
            assertThat(maxHolders).hasValue(1);
            assertThat(counter).hasValue(sections);
            assertThat(tokens).hasSize(sections).isSorted().doesNotHaveDuplicates();
            assertThat(TestSupport.holdersOf(a.keyOf(name))).isEmpty();
        }
    }
}

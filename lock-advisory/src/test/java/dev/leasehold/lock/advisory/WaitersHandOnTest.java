package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.advisory.internal.ConnectionSource;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Eight managers wait on one name while a ninth holds it, and the lock is handed on thirty times: at each release
 * exactly one waiter gets it, and the waiters that lose go back to waiting in the database. Woken waiters must not keep
 * each other's attempts from succeeding: a waiter waits about once per handoff, and every handoff ends well within the
 * retry delay (a liveness bound, not a timing target).
 */
class WaitersHandOnTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("WaitersHandOnTest");
    private static final int WAITERS = 8;
    private static final int HANDOFFS = 30;
    private static final Duration RETRY_DELAY = Duration.ofSeconds(1);

    private final String name = "handoff-" + System.nanoTime();
    private final List<CountingStore> stores = new ArrayList<>();
    private final List<LeaseLockManager> managers = new ArrayList<>();
    private final AtomicInteger handoffs = new AtomicInteger();
    private final AtomicInteger holding = new AtomicInteger();
    private final AtomicInteger overlaps = new AtomicInteger();
    private final List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    private volatile long releasedAt;
    private volatile int awaitsAtEnd;
    private volatile int attemptsAtEnd;

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void eightWaitingManagersHandTheLockOnWithoutBlockingEachOther() throws Exception {
        LockSettings settings = TestSupport.settings(PREFIX, Duration.ofSeconds(30))
                .retry(RetryOptions.waitUpTo(Duration.ofSeconds(60), RETRY_DELAY))
                .build();
        List<TestPool> pools = new ArrayList<>();
        ExecutorService threads = Executors.newFixedThreadPool(WAITERS + 1);
        try {
            for (int i = 0; i <= WAITERS; i++) {
                TestPool pool = DB.newPool("adv-handoff-" + i, 4);
                pools.add(pool);
                CountingStore store = new CountingStore(AdvisoryLeaseStore.open(
                        ConnectionSource.of(pool), Jdbi.create(pool), settings, AdvisoryOptions.defaults()));
                stores.add(store);
                managers.add(new LeaseLockManager(store, settings));
            }
            Lease first = managers.get(0).lock(name).tryAcquire().orElseThrow();
            holding.set(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int i = 0; i <= WAITERS; i++) {
                int me = i;
                Lease initial = i == 0 ? first : null;
                workers.add(threads.submit(() -> {
                    work(me, initial);
                    return null;
                }));
            }
            for (Future<?> w : workers) {
                w.get(2, TimeUnit.MINUTES);
            }
        } finally {
            threads.shutdownNow();
            for (LeaseLockManager m : managers) {
                m.close();
            }
            for (TestPool p : pools) {
                p.close();
            }
        }

        List<Long> sorted = new ArrayList<>(latencies);
        Collections.sort(sorted);
        double awaitsPerHandoff = (double) awaitsAtEnd / HANDOFFS;
        double attemptsPerHandoff = (double) attemptsAtEnd / HANDOFFS;
        System.out.printf(
                "HANDOFF %d waiters, %d handoffs: median %.2f ms, max %.2f ms; per handoff %.1f waits, %.1f attempts%n",
                WAITERS,
                HANDOFFS,
                sorted.get(sorted.size() / 2) / 1e6,
                sorted.get(sorted.size() - 1) / 1e6,
                awaitsPerHandoff,
                attemptsPerHandoff);

        assertThat(overlaps).as("handoffs that found the lock held by another").hasValue(0);
        assertThat(sorted).hasSize(HANDOFFS);
        // Per handoff each of the eight waiters is woken once, attempts once, and (if it lost) waits again; a wake-up
        // that races the winner's attempt may cost one more. Waiters that block each other wait hundreds of times.
        assertThat(awaitsPerHandoff).as("waits per handoff, over all waiters").isLessThanOrEqualTo(2.0 * WAITERS);
        assertThat(attemptsPerHandoff)
                .as("attempts per handoff, over all waiters")
                .isLessThanOrEqualTo(2.0 * WAITERS + 1);
        assertThat(Duration.ofNanos(sorted.get(sorted.size() - 1)))
                .as("the slowest handoff")
                .isLessThan(RETRY_DELAY);
    }

    /**
     * One manager's part: acquire (waiting), then hold until every other manager waits again, release, and wait until
     * another holds it before asking again. After the last recorded handoff each manager takes the lock once more and
     * leaves.
     */
    private void work(int me, Lease initial) {
        Lease lease = initial;
        int seen = 0;
        while (true) {
            if (lease == null) {
                lease = managers.get(me).lock(name).acquire();
                long latency = System.nanoTime() - releasedAt;
                if (holding.incrementAndGet() != 1) {
                    overlaps.incrementAndGet();
                }
                seen = handoffs.incrementAndGet();
                System.out.println("GOT " + System.identityHashCode(stores.get(me)) + " #" + seen + " "
                        + latency / 1000 + "us awaits "
                        + stores.stream().mapToInt(s -> s.awaits.get()).sum());
                if (seen <= HANDOFFS) {
                    latencies.add(latency);
                }
                if (seen == HANDOFFS) {
                    awaitsAtEnd = stores.stream().mapToInt(s -> s.awaits.get()).sum();
                    attemptsAtEnd =
                            stores.stream().mapToInt(s -> s.tryAcquires.get()).sum();
                }
            }
            if (seen >= HANDOFFS) {
                holding.decrementAndGet();
                lease.release();
                return;
            }
            // The job: hold until all eight others wait in awaitChange, so that every release has eight waiters.
            await().atMost(Duration.ofSeconds(10))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> othersWaiting(me));
            holding.decrementAndGet();
            releasedAt = System.nanoTime();
            lease.release();
            lease = null;
            int mine = seen;
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(1))
                    .until(() -> handoffs.get() > mine);
        }
    }

    private boolean othersWaiting(int me) {
        for (int i = 0; i < stores.size(); i++) {
            if (i != me && stores.get(i).awaiting.get() == 0) {
                return false;
            }
        }
        return true;
    }
}

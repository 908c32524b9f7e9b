package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.tck.Grants;
import dev.leasehold.lock.testing.OnOwnedPostgres;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The advisory backend across a restart of PostgreSQL (an immediate shutdown, then a start), on a cluster of the
 * test's own. A restart ends every session, and a lost session is a lost lease: the holder is told at once (well
 * before its lease time), a waiting {@code acquire} resumes and takes the lock over once the server is back, and no
 * token is ever granted twice.
 */
class RestartTest extends OnOwnedPostgres {

    /** Long, so that a loss seen within a fraction of it comes from the session, not from expiry. */
    private static final Duration LEASE = Duration.ofSeconds(10);

    /** The liveness interval (500 ms), its tick (100 ms), a failed round trip, and room for a busy machine. */
    private static final Duration PROMPTLY = Duration.ofSeconds(2);

    private AdvisoryLockManager manager(String prefix) {
        HikariDataSource pool = pool("adv-restart", 4);
        AdvisoryLockManager manager = AdvisoryLockManager.create(
                pool,
                LockSettings.builder()
                        .tablePrefix(prefix)
                        .leaseTime(LEASE)
                        .heartbeatInterval(LEASE.dividedBy(3))
                        .build());
        return closeAfterTest(manager);
    }

    @Test
    void aRestartLosesTheSessionsLeasesAtOnceAndTheWaiterTakesOverWithALargerToken() throws Exception {
        String prefix = tablePrefix("adv_restart");
        AdvisoryLockManager holder = manager(prefix);
        AdvisoryLockManager other = manager(prefix);
        Grants grants = new Grants();
        List<Lease> leases = new ArrayList<>();
        Map<String, Long> lostAt = new ConcurrentHashMap<>();
        AtomicInteger lostCount = new AtomicInteger();
        for (String name : List.of("a", "b", "c")) {
            Lease l = grants.record(holder.lock(name).tryAcquire().orElseThrow());
            l.onLost(e -> {
                lostAt.put(l.name(), System.nanoTime());
                lostCount.incrementAndGet();
            });
            leases.add(l);
        }
        Future<Lease> waiter =
                threads.submit(() -> grants.record(other.lock("a").acquire(Duration.ofSeconds(60))));

        long stopRequested = System.nanoTime();
        pg.stop();
        await().atMost(PROMPTLY).pollInterval(Duration.ofMillis(10)).until(() -> lostAt.size() == leases.size());
        for (Lease l : leases) {
            assertThat(Duration.ofNanos(lostAt.get(l.name()) - stopRequested))
                    .as("lease %s lost after the shutdown", l.name())
                    .isLessThanOrEqualTo(PROMPTLY);
            assertThat(l.isValid()).isFalse();
        }
        // Longer than the retries of one acquire attempt: a waiter with time left keeps waiting.
        await().during(Duration.ofSeconds(8))
                .atMost(Duration.ofSeconds(9))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !waiter.isDone());

        pg.start();
        Lease taken = waiter.get(30, TimeUnit.SECONDS);
        assertThat(taken.token()).isGreaterThan(leases.get(0).token());
        Lease again = grants.record(holder.lock("b").acquire(Duration.ofSeconds(10)));
        assertThat(again.token()).isGreaterThan(leases.get(1).token());
        assertThat(lostCount).as("each listener ran once").hasValue(leases.size());
        taken.release();
        again.release();
        grants.assertStrictlyIncreasing();
    }

    @Test
    void aShortRestartStillEndsTheSessionAndNeverLeavesTwoHolders() throws Exception {
        String prefix = tablePrefix("adv_restart");
        AdvisoryLockManager holder = manager(prefix);
        AdvisoryLockManager other = manager(prefix);
        Grants grants = new Grants();
        Lease held = grants.record(holder.lock("a").tryAcquire().orElseThrow());
        AtomicInteger told = new AtomicInteger();
        held.onLost(e -> told.incrementAndGet());
        Future<Lease> waiter =
                threads.submit(() -> grants.record(other.lock("a").acquire(Duration.ofSeconds(60))));

        pg.restart(Duration.ofMillis(100));

        Lease taken = waiter.get(30, TimeUnit.SECONDS);
        long takenAt = System.nanoTime();
        assertThat(taken.token()).isGreaterThan(held.token());
        // The old holder may learn of its loss a moment after the takeover, never later than that moment.
        await().atMost(Duration.ofMillis(500))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> !held.isValid());
        assertThat(Duration.ofNanos(System.nanoTime() - takenAt)).isLessThanOrEqualTo(Duration.ofMillis(500));
        await().atMost(Duration.ofSeconds(1)).until(() -> told.get() == 1);
        taken.release();
        grants.assertStrictlyIncreasing();
    }
}

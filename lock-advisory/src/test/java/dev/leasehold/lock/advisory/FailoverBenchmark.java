package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Measures failover for the README; not part of the test run (it takes about a minute). Run it with
 *
 * <pre>
 * mvn -B -pl lock-advisory -Pbench test
 * </pre>
 *
 * <p>and read the lines starting with {@code FAILOVER} on standard output:
 *
 * <ul>
 *   <li>crash handoff: a holder in another JVM, lease 30 s, killed with SIGKILL; the time from the kill until a
 *       waiting manager holds the lock, for the advisory backend and for the lease table ({@code jdbc});
 *   <li>session loss: the time from {@code pg_terminate_backend} on a holder's session until its {@code onLost}
 *       listener runs (advisory backend, default liveness interval).
 * </ul>
 */
class FailoverBenchmark {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("FailoverBenchmark");
    private static final long LEASE_MILLIS = 30_000;
    private static final int RUNS = Integer.getInteger("leasehold.measureFailover.runs", 10);

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void advisoryCrashHandoff() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            millis.add(handoff("advisory"));
        }
        report("advisory SIGKILL -> next holder (lease 30 s)", millis);
        assertThat(Collections.max(millis)).isLessThan(1000);
    }

    @Test
    void leaseTableCrashHandoff() throws Exception {
        List<Long> millis = new ArrayList<>();
        for (int i = 0; i < Integer.getInteger("leasehold.measureFailover.leaseTableRuns", 1); i++) {
            millis.add(handoff("jdbc"));
        }
        report("lease table (jdbc) SIGKILL -> next holder (lease 30 s)", millis);
    }

    @Test
    void advisorySessionLossDetection() throws Exception {
        List<Long> millis = new ArrayList<>();
        try (HikariDataSource pool = DB.newPool("adv-detect", 4);
                AdvisoryLockManager holder =
                        AdvisoryLockManager.create(pool, settings().build())) {
            for (int i = 0; i < RUNS; i++) {
                Lease lease =
                        holder.lock("detect-" + System.nanoTime()).tryAcquire().orElseThrow();
                int session = TestSupport.sessionHolding(holder.keyOf(lease.name()));
                AtomicLong lostAt = new AtomicLong();
                lease.onLost(e -> lostAt.set(System.nanoTime()));
                Thread.sleep(50 + 37L * i % 500); // spread the kill over the liveness interval
                long killedAt = System.nanoTime();
                TestSupport.terminate(session);
                while (lostAt.get() == 0) {
                    Thread.sleep(1);
                }
                millis.add(TimeUnit.NANOSECONDS.toMillis(lostAt.get() - killedAt));
            }
        }
        report("advisory pg_terminate_backend -> onLost (liveness 500 ms)", millis);
    }

    private static LockSettings.Builder settings() {
        return TestSupport.settings(PREFIX, Duration.ofMillis(LEASE_MILLIS))
                .retry(RetryOptions.waitUpTo(Duration.ofSeconds(60), Duration.ofSeconds(60)));
    }

    private long handoff(String backend) throws Exception {
        String name = "failover-" + backend + "-" + System.nanoTime();
        ChildProcesses.Child child = ChildProcesses.startHolder(DB, backend, PREFIX, name, LEASE_MILLIS);
        try (HikariDataSource pool = DB.newPool("adv-failover", 4);
                LockManager next = backend.equals("jdbc")
                        ? JdbcLockManager.create(pool, settings().build())
                        : AdvisoryLockManager.create(pool, settings().build())) {
            assertThat(next.lock(name).tryAcquire()).isEmpty();
            long killedAt = System.nanoTime();
            child.process().destroyForcibly();
            Lease lease = next.lock(name).acquire(Duration.ofSeconds(60));
            long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killedAt);
            assertThat(lease.token()).isGreaterThan(child.token());
            lease.release();
            return millis;
        } finally {
            child.process().destroyForcibly();
            child.process().waitFor(10, TimeUnit.SECONDS);
        }
    }

    private static void report(String what, List<Long> millis) {
        List<Long> sorted = new ArrayList<>(millis);
        Collections.sort(sorted);
        System.out.println("FAILOVER " + what + ": runs=" + sorted.size() + " min=" + sorted.get(0) + " ms median="
                + sorted.get(sorted.size() / 2) + " ms max=" + sorted.get(sorted.size() - 1) + " ms all=" + millis);
    }
}

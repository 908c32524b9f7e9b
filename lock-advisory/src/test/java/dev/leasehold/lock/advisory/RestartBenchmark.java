package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.tck.Grants;
import dev.leasehold.lock.testing.OwnedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Function;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Measures what a restart of PostgreSQL (an immediate shutdown, a downtime, a start) does to holders, waiters and
 * tokens of the {@code jdbc} and {@code advisory} backends, for the README; not part of the test run (about three
 * minutes). Run it with
 *
 * <pre>
 * mvn -B -pl lock-advisory -am -Pbench test -Dtest=RestartBenchmark -Dsurefire.failIfNoSpecifiedTests=false
 * </pre>
 *
 * <p>and read the lines starting with {@code RESTART} on standard output. Each run holds three leases on one manager
 * while a second manager waits in {@code acquire} for one of them, restarts a cluster of its own ({@link
 * OwnedPostgres}, pools from its {@link TestDatabase#newPool}: HikariCP {@code connectionTimeout} 1 s) at a random
 * moment of the heartbeat, and reports, by {@link System#nanoTime()}:
 *
 * <ul>
 *   <li>whether the leases were kept; for kept leases, the time from the server being ready (its {@code
 *       postmaster.pid} said so) to the first renewal that succeeded after the shutdown, saying whether that renewal
 *       was due during the outage (then it is the retry that got through) or came on its schedule, and the time for
 *       the waiter to acquire after the lock's release;
 *   <li>for lost leases, the time from the shutdown request to the last {@code onLost}, and the time from the server
 *       being ready to the waiter holding the lock;
 *   <li>that every token granted, before and after, is larger than every earlier one of its name.
 * </ul>
 *
 * <p>The last scenario uses HikariCP as it comes ({@code connectionTimeout} 30 s, no socket timeout) for comparison.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RestartBenchmark {

    private static final int RUNS = Integer.getInteger("leasehold.restartBenchmark.runs", 3);
    private static final AtomicInteger POOLS = new AtomicInteger();

    private OwnedPostgres pg;

    @BeforeAll
    void start() {
        pg = OwnedPostgres.create();
    }

    @AfterAll
    void stop() {
        if (pg != null) {
            pg.close();
        }
    }

    /** What one run saw; times in milliseconds, -1 where they do not apply. */
    record Outcome(
            boolean kept,
            double outageMillis,
            double firstRenewalAfterReadyMillis,
            boolean renewalDueDuringOutage,
            double waiterAfterReleaseMillis,
            double lostAfterStopMillis,
            double waiterAfterReadyMillis) {}

    @Test
    void leaseTable() throws Exception {
        for (Duration downtime : List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            measure("jdbc", Duration.ofSeconds(10), downtime);
        }
        measure("jdbc", Duration.ofSeconds(2), Duration.ofSeconds(5));
        measure("jdbc, hikari-defaults", Duration.ofSeconds(10), Duration.ofSeconds(5));
    }

    @Test
    void advisory() throws Exception {
        for (Duration downtime : List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(5))) {
            measure("advisory", Duration.ofSeconds(10), downtime);
        }
    }

    private void measure(String backend, Duration lease, Duration downtime) throws Exception {
        List<Outcome> outcomes = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            outcomes.add(run(backend, lease, downtime));
        }
        for (Outcome o : outcomes) {
            System.out.printf(
                    Locale.ROOT,
                    "RESTART %-21s lease %2d s, down %d s (outage %5.0f ms): %s%n",
                    backend,
                    lease.toSeconds(),
                    downtime.toSeconds(),
                    o.outageMillis(),
                    o.kept()
                            ? String.format(
                                    Locale.ROOT,
                                    "kept; first renewal %5.0f ms after ready (%s); waiter acquired %6.1f ms after"
                                            + " the release",
                                    o.firstRenewalAfterReadyMillis(),
                                    o.renewalDueDuringOutage() ? "due during the outage" : "on its schedule",
                                    o.waiterAfterReleaseMillis())
                            : String.format(
                                    Locale.ROOT,
                                    "lost; onLost %5.0f ms after the shutdown (last); waiter acquired %5.0f ms after"
                                            + " ready",
                                    o.lostAfterStopMillis(),
                                    o.waiterAfterReadyMillis()));
        }
    }

    private Outcome run(String backend, Duration lease, Duration downtime) throws Exception {
        String prefix = pg.database().uniquePrefix("restart_bench");
        Function<DataSource, LockManager> create = ds -> {
            LockSettings settings =
                    LockSettings.builder().tablePrefix(prefix).leaseTime(lease).build();
            return backend.startsWith("jdbc")
                    ? JdbcLockManager.create(ds, settings)
                    : AdvisoryLockManager.create(ds, settings);
        };
        boolean defaults = backend.endsWith("hikari-defaults");
        try (HikariDataSource holderPool = defaults ? defaultPool() : pool();
                HikariDataSource waiterPool = defaults ? defaultPool() : pool();
                LockManager holder = create.apply(holderPool);
                LockManager waiter = create.apply(waiterPool)) {
            Grants grants = new Grants();
            List<Lease> leases = new ArrayList<>();
            Map<String, Long> lostAt = new ConcurrentHashMap<>();
            for (String name : List.of("a", "b", "c")) {
                Lease l = grants.record(holder.lock(name).tryAcquire().orElseThrow());
                l.onLost(e -> lostAt.put(l.name(), System.nanoTime()));
                leases.add(l);
            }
            CompletableFuture<Long> waited = CompletableFuture.supplyAsync(() -> {
                grants.record(waiter.lock("a").acquire(Duration.ofMinutes(2)));
                return System.nanoTime();
            });
            // Hit the heartbeat at a random moment.
            TimeUnit.MILLISECONDS.sleep(
                    ThreadLocalRandom.current().nextLong(lease.dividedBy(3).toMillis()));
            // Every change of the first lease's expiry (a renewal that succeeded), looked at every millisecond.
            List<Long> renewals = new CopyOnWriteArrayList<>();
            CompletableFuture<Void> observer = CompletableFuture.runAsync(() -> {
                Instant seen = leases.get(0).expiresAt();
                while (leases.get(0).isValid()) {
                    Instant now = leases.get(0).expiresAt();
                    if (!now.equals(seen)) {
                        renewals.add(System.nanoTime());
                        seen = now;
                    }
                    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
                }
            });
            long acquiredAt = System.nanoTime();

            OwnedPostgres.Restart restart = pg.restart(downtime);

            double outage = millis(restart.outage().toNanos());
            long ready = restart.readyAtNanos();
            Outcome outcome;
            if (backend.startsWith("jdbc") && downtime.compareTo(lease) < 0) {
                long stop = restart.stopRequestedAtNanos();
                await().atMost(lease.multipliedBy(2))
                        .until(() -> renewals.stream().anyMatch(t -> t > stop));
                long renewed =
                        renewals.stream().filter(t -> t > stop).findFirst().orElseThrow();
                long lastBefore = renewals.stream()
                        .filter(t -> t < stop)
                        .reduce((x, y) -> y)
                        .orElse(acquiredAt);
                long due = lastBefore + lease.dividedBy(3).toNanos();
                assertThat(lostAt)
                        .as("leases lost in a restart shorter than the lease")
                        .isEmpty();
                assertThat(leases).allMatch(Lease::isValid);
                long released = System.nanoTime();
                leases.get(0).release();
                long acquired = waited.get(30, TimeUnit.SECONDS);
                outcome = new Outcome(
                        true, outage, millis(renewed - ready), due - ready < 0, millis(acquired - released), -1, -1);
            } else {
                long acquired = waited.get(2, TimeUnit.MINUTES);
                assertThat(lostAt).as("leases lost").hasSize(leases.size());
                long lastLost = lostAt.values().stream().mapToLong(t -> t).max().orElseThrow();
                outcome = new Outcome(
                        false,
                        outage,
                        -1,
                        false,
                        -1,
                        millis(lastLost - restart.stopRequestedAtNanos()),
                        millis(acquired - ready));
            }
            observer.cancel(true);
            for (Lease l : leases) {
                if (l.isValid()) {
                    l.release();
                }
            }
            for (String name : List.of("b", "c")) {
                Lease again = grants.record(holder.lock(name).acquire(lease.multipliedBy(2)));
                again.release();
            }
            grants.assertStrictlyIncreasing();
            return outcome;
        } finally {
            pg.database().dropTablesWithPrefix(prefix);
        }
    }

    private HikariDataSource pool() {
        return pg.database().newPool("restart-bench", 4);
    }

    /** HikariCP as it comes: connectionTimeout 30 s, no socket timeout. */
    private HikariDataSource defaultPool() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(pg.jdbcUrl());
        config.setUsername(OwnedPostgres.USER);
        config.setPoolName("leasehold-restart-bench-" + POOLS.incrementAndGet());
        config.setMaximumPoolSize(4);
        return new HikariDataSource(config);
    }

    private static double millis(long nanos) {
        return nanos / 1e6;
    }
}

package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.tck.Grants;
import dev.leasehold.lock.testing.OnOwnedPostgres;
import dev.leasehold.lock.testing.OwnedPostgres;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The lease table across a restart of PostgreSQL (an immediate shutdown, then a start), on a cluster of the test's own:
 * a restart shorter than the lease keeps every lease with its token, a longer one loses them at their local deadline,
 * a waiting {@code acquire} rides it out, and no token is ever granted twice.
 *
 * <p>The pools are set up as an application's should be for a database that can restart ({@link
 * TestDatabase#newPool} of an {@link OwnedPostgres}): HikariCP's {@code connectionTimeout} bounds how long a caller waits for a connection
 * while the server is down, and the driver's {@code connectTimeout} and {@code socketTimeout} bound a connection
 * attempt and a read on a socket that went silent.
 */
class RestartTest extends OnOwnedPostgres {

    private JdbcLockManager manager(String prefix, Duration leaseTime, Duration heartbeat) {
        HikariDataSource pool = pool("restart", 4);
        JdbcLockManager manager = JdbcLockManager.create(
                pool,
                LockSettings.builder()
                        .tablePrefix(prefix)
                        .leaseTime(leaseTime)
                        .heartbeatInterval(heartbeat)
                        .build());
        return closeAfterTest(manager);
    }

    @Test
    void aRestartShorterThanTheLeaseKeepsEveryLeaseWithItsToken() throws Exception {
        String prefix = tablePrefix("restart");
        Duration lease = Duration.ofSeconds(4);
        JdbcLockManager holder = manager(prefix, lease, Duration.ofSeconds(1));
        JdbcLockManager other = manager(prefix, lease, Duration.ofSeconds(1));
        Grants grants = new Grants();
        List<Lease> leases = new ArrayList<>();
        AtomicInteger lost = new AtomicInteger();
        for (String name : List.of("a", "b", "c")) {
            Lease l = grants.record(holder.lock(name).tryAcquire().orElseThrow());
            l.onLost(e -> lost.incrementAndGet());
            leases.add(l);
        }
        Future<Lease> waiter =
                threads.submit(() -> grants.record(other.lock("a").acquire(Duration.ofSeconds(60))));
        Map<String, Instant> before = new ConcurrentHashMap<>();
        leases.forEach(l -> before.put(l.name(), l.expiresAt()));

        OwnedPostgres.Restart restart = pg.restart(Duration.ofSeconds(1));

        await().atMost(lease)
                .pollInterval(Duration.ofMillis(10))
                .until(() -> leases.stream().allMatch(l -> l.expiresAt().isAfter(before.get(l.name()))));
        assertThat(lost).as("lost-lease signals").hasValue(0);
        for (Lease l : leases) {
            assertThat(l.isValid()).as("lease %s", l.name()).isTrue();
            assertThat(holder.inspect(l.name())).hasValueSatisfying(i -> {
                assertThat(i.token()).isEqualTo(l.token());
                assertThat(i.ownerId()).isEqualTo(holder.ownerId());
            });
        }
        assertThat(waiter.isDone())
                .as("the waiter still waits: the lock is held")
                .isFalse();
        assertThat(restart.outage()).isGreaterThanOrEqualTo(Duration.ofSeconds(1));

        leases.get(0).release();
        Lease taken = waiter.get(10, TimeUnit.SECONDS);
        assertThat(taken.token()).isGreaterThan(leases.get(0).token());
        taken.release();
        leases.get(1).release();
        leases.get(2).release();
        grants.assertStrictlyIncreasing();
    }

    @Test
    void aRestartLongerThanTheLeaseLosesEveryLeaseAtItsDeadlineAndTheWaiterTakesOver() throws Exception {
        String prefix = tablePrefix("restart");
        Duration lease = Duration.ofSeconds(2);
        Duration tolerance = Duration.ofSeconds(1);
        JdbcLockManager holder = manager(prefix, lease, Duration.ofMillis(500));
        JdbcLockManager other = manager(prefix, lease, Duration.ofMillis(500));
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
        await().atMost(lease.plus(tolerance).plusSeconds(1))
                .pollInterval(Duration.ofMillis(10))
                .until(() -> lostAt.size() == leases.size());
        for (Lease l : leases) {
            assertThat(Duration.ofNanos(lostAt.get(l.name()) - stopRequested))
                    .as("lease %s lost after the shutdown", l.name())
                    .isLessThanOrEqualTo(lease.plus(tolerance));
            assertThat(l.isValid()).isFalse();
        }
        // Long enough for every retry of a transient failure to run out: a waiter with time left keeps waiting.
        await().during(Duration.ofSeconds(8))
                .atMost(Duration.ofSeconds(9))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> !waiter.isDone());

        pg.start();
        Lease taken = waiter.get(lease.plus(Duration.ofSeconds(10)).toSeconds(), TimeUnit.SECONDS);
        assertThat(taken.token()).isGreaterThan(leases.get(0).token());
        Lease again = grants.record(holder.lock("b").acquire(Duration.ofSeconds(10)));
        assertThat(again.token()).isGreaterThan(leases.get(1).token());
        assertThat(lostCount).as("each listener ran once").hasValue(leases.size());
        taken.release();
        again.release();
        grants.assertStrictlyIncreasing();
    }
}

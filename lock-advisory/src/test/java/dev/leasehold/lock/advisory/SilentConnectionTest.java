package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.OwnedPostgres;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A waiter whose pooled connection goes silent (the server process behind it stops answering, as a frozen server or a
 * cut network leaves it) gives up its wait at its {@code maxWait} plus the session's network timeout, instead of
 * waiting for an answer that never comes. The pool has no socket timeout, as a pool set up with the driver's defaults
 * has none. The server process is stopped with {@code SIGSTOP} on a cluster of the test's own.
 */
class SilentConnectionTest {

    @Test
    void aWaiterWhoseConnectionGoesSilentGivesUpAtItsMaxWait() throws Exception {
        try (OwnedPostgres pg = OwnedPostgres.create();
                HikariDataSource holderPool = pg.database().newPool("silent-holder", 2);
                HikariDataSource waiterPool = pg.database().newPool("silent-waiter", 4)) {
            String prefix = pg.database().uniquePrefix("silent");
            Duration lease = Duration.ofSeconds(2); // the session's network timeout: max(2 s, lease time)
            Duration maxWait = Duration.ofSeconds(3);
            LockSettings settings =
                    LockSettings.builder().tablePrefix(prefix).leaseTime(lease).build();
            try (AdvisoryLockManager holder = AdvisoryLockManager.create(holderPool, settings);
                    AdvisoryLockManager waiter = AdvisoryLockManager.create(
                            waiterPool,
                            settings.toBuilder()
                                    .retry(RetryOptions.waitUpTo(maxWait, maxWait))
                                    .build())) {
                Lease held = holder.lock("silent").tryAcquire().orElseThrow();
                long start = System.nanoTime();
                CompletableFuture<Object> waiting = CompletableFuture.supplyAsync(() -> {
                    try {
                        return waiter.lock("silent").acquire();
                    } catch (LockAlreadyHeldException e) {
                        return e;
                    }
                });
                List<Integer> waiting1 = new ArrayList<>();
                await().atMost(Duration.ofSeconds(2))
                        .pollInterval(Duration.ofMillis(5))
                        .until(() -> {
                            waiting1.addAll(pids(pg));
                            return !waiting1.isEmpty();
                        });
                signal("STOP", waiting1);
                try {
                    Object outcome =
                            waiting.get(maxWait.plus(lease).plusSeconds(3).toMillis(), TimeUnit.MILLISECONDS);
                    assertThat(outcome).isInstanceOf(LockAlreadyHeldException.class);
                    assertThat(Duration.ofNanos(System.nanoTime() - start))
                            .isLessThanOrEqualTo(maxWait.plus(lease).plusSeconds(1));
                } finally {
                    signal("CONT", waiting1);
                }
                held.release();
            } finally {
                pg.database().dropTablesWithPrefix(prefix);
            }
        }
    }

    /** The server processes running the waiter's statement. */
    private static List<Integer> pids(OwnedPostgres pg) throws Exception {
        List<Integer> pids = new ArrayList<>();
        try (Connection c = pg.database().dataSource().getConnection();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT pid FROM pg_stat_activity WHERE state = 'active'"
                        + " AND query LIKE '%pg_advisory_lock_shared%' AND pid <> pg_backend_pid()")) {
            while (rs.next()) {
                pids.add(rs.getInt(1));
            }
        }
        return pids;
    }

    private static void signal(String signal, List<Integer> pids) throws Exception {
        for (int pid : pids) {
            Process kill = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
                    .inheritIO()
                    .start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
                    .as("kill -%s %d", signal, pid)
                    .isTrue();
        }
    }
}

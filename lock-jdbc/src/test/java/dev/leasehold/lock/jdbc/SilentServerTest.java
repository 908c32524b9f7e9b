package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.DriverDataSource;
import dev.leasehold.lock.testing.OwnedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A lease statement whose server process stops answering (frozen, or cut off without a reset) gives up after the
 * store's network timeout (a third of the lease time, at least 2 s) and is retried on another connection, instead of
 * blocking the caller, or the manager's renewals, for as long as the driver's default allows (forever). The data source
 * opens plain connections with the driver's defaults (no socket timeout) and freezes the server process of the one it
 * is told to with {@code SIGSTOP}, on a cluster of the test's own.
 */
class SilentServerTest {

    private static final Duration LEASE = Duration.ofSeconds(9); // network timeout 3 s

    @Test
    void aStatementOnASilentServerProcessGivesUpAndIsRetriedOnAnotherConnection() throws Exception {
        try (OwnedPostgres pg = OwnedPostgres.create()) {
            FreezingDataSource source = new FreezingDataSource(pg);
            String prefix = pg.database().uniquePrefix("silent");
            try (JdbcLockManager holder = JdbcLockManager.create(
                    source,
                    LockSettings.builder()
                            .tablePrefix(prefix)
                            .leaseTime(LEASE)
                            .retry(RetryOptions.none())
                            .build())) {
                source.freezeNext = true;
                long start = System.nanoTime();
                Optional<Lease> lease = CompletableFuture.supplyAsync(
                                () -> holder.lock("silent").tryAcquire())
                        .get(LEASE.multipliedBy(2).toMillis(), TimeUnit.MILLISECONDS);
                Duration took = Duration.ofNanos(System.nanoTime() - start);
                assertThat(source.frozen).as("server processes frozen").hasSize(1);
                assertThat(lease)
                        .as("the try, retried on a connection that answers")
                        .isPresent();
                assertThat(took).as("time the try took").isBetween(Duration.ofMillis(2_500), LEASE);
                lease.get().release();
            } finally {
                source.thaw();
                pg.database().dropTablesWithPrefix(prefix);
            }
        }
    }

    /**
     * Plain connections with the driver's defaults (no socket timeout); the next one after {@code freezeNext} has its
     * server frozen.
     */
    private static final class FreezingDataSource extends DriverDataSource {
        final List<Integer> frozen = new CopyOnWriteArrayList<>();
        volatile boolean freezeNext;

        FreezingDataSource(OwnedPostgres pg) {
            super(pg.database());
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = super.getConnection();
            if (freezeNext) {
                freezeNext = false;
                int pid;
                try (Statement s = c.createStatement();
                        ResultSet rs = s.executeQuery("SELECT pg_backend_pid()")) {
                    rs.next();
                    pid = rs.getInt(1);
                }
                signal("STOP", pid);
                frozen.add(pid);
            }
            return c;
        }

        void thaw() {
            frozen.forEach(pid -> signal("CONT", pid));
        }
    }

    private static void signal(String signal, int pid) {
        try {
            Process kill = new ProcessBuilder("kill", "-" + signal, Integer.toString(pid))
                    .inheritIO()
                    .start();
            assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0)
                    .as("kill -%s %d", signal, pid)
                    .isTrue();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }
}

package dev.leasehold.lock.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.spi.SqlFailures;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.Map;
import java.util.Properties;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A cluster of the test's own: it survives an immediate shutdown with every committed row, and what its clients see
 * while it restarts is what the engine retries as transient.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class OwnedPostgresTest {

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

    private Connection connect() throws SQLException {
        Properties props = new Properties();
        props.setProperty("user", OwnedPostgres.USER);
        props.setProperty("connectTimeout", "5");
        props.setProperty("socketTimeout", "30");
        return DriverManager.getConnection(pg.jdbcUrl(), props);
    }

    @Test
    void committedRowsSurviveAnImmediateShutdown() throws Exception {
        try (Connection c = connect();
                Statement s = c.createStatement()) {
            s.execute("CREATE TABLE survivors (n int)");
            s.execute("INSERT INTO survivors VALUES (1)");
        }
        OwnedPostgres.Restart restart = pg.restart(Duration.ofMillis(100));
        assertThat(restart.stoppedAtNanos()).isGreaterThan(restart.stopRequestedAtNanos());
        assertThat(restart.startRequestedAtNanos() - restart.stoppedAtNanos())
                .isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(100));
        assertThat(restart.outage()).isGreaterThanOrEqualTo(Duration.ofMillis(100));
        try (Connection c = connect();
                Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("SELECT count(*) FROM survivors")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(1);
        }
        assertThat(pg.isRunning()).isTrue();
    }

    /**
     * What a restart does to clients: a statement running at the shutdown, an idle connection's next statement and a
     * connection attempt while the server is down all fail with SQLStates that the engine retries.
     */
    @Test
    void whatClientsSeeDuringARestartIsTransient() throws Exception {
        Map<String, String> seen = new TreeMap<>();
        try (Connection idle = connect();
                Connection busy = connect()) {
            CompletableFuture<SQLException> running = CompletableFuture.supplyAsync(() -> {
                try (Statement s = busy.createStatement()) {
                    s.execute("SELECT pg_sleep(30)");
                    return null;
                } catch (SQLException e) {
                    return e;
                }
            });
            awaitSleeping();
            pg.stop();
            SQLException runningFailure = running.get(30, TimeUnit.SECONDS);
            assertThat((Object) runningFailure)
                    .as("the running statement fails")
                    .isNotNull();
            seen.put("running statement", runningFailure.getSQLState());
            SQLException idleFailure = failure(() -> {
                try (Statement s = idle.createStatement()) {
                    s.execute("SELECT 1");
                }
            });
            seen.put("idle connection", idleFailure.getSQLState());
            SQLException connectFailure = failure(() -> connect().close());
            seen.put("connection attempt while down", connectFailure.getSQLState());
            assertThat(SqlFailures.isTransient(runningFailure))
                    .as("%s", runningFailure)
                    .isTrue();
            assertThat(SqlFailures.isTransient(idleFailure))
                    .as("%s", idleFailure)
                    .isTrue();
            assertThat(SqlFailures.isTransient(connectFailure))
                    .as("%s", connectFailure)
                    .isTrue();
        } finally {
            pg.start();
        }
        System.getLogger(OwnedPostgresTest.class.getName())
                .log(System.Logger.Level.INFO, "SQLStates seen across an immediate restart: " + seen);
        try (Connection c = connect()) {
            assertThat(c.isValid(5)).isTrue();
        }
    }

    /** Its pools bound every wait: asking for a connection while the server is down fails within seconds. */
    @Test
    void aPoolFailsFastWhileTheServerIsDown() throws Exception {
        try (TestPool pool = pg.database().newPool("down", 2)) {
            try (Connection c = pool.getConnection()) {
                assertThat(c.isValid(5)).isTrue();
            }
            assertThat(pool.openSessions()).hasSize(1);
            pg.stop();
            try {
                // So that the pool must connect, rather than hand out the idle connection the stop broke.
                pool.getHikariPoolMXBean().softEvictConnections();
                long start = System.nanoTime();
                assertThatThrownBy(pool::getConnection).isInstanceOf(SQLException.class);
                assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
            } finally {
                pg.start();
            }
        }
    }

    @Test
    void aClosedClusterIsGone() {
        OwnedPostgres other = OwnedPostgres.create();
        Path directory = other.directory();
        String url = other.jdbcUrl();
        other.close();
        other.close();
        assertThat(Files.exists(directory)).isFalse();
        assertThatThrownBy(() -> DriverManager.getConnection(url, OwnedPostgres.USER, ""))
                .isInstanceOf(SQLException.class);
        assertThatThrownBy(other::start).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void aNegativeDowntimeIsRefused() {
        assertThatThrownBy(() -> pg.restart(Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("downtime");
    }

    private void awaitSleeping() {
        Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> {
            try (Connection c = connect();
                    Statement s = c.createStatement();
                    ResultSet rs = s.executeQuery("SELECT count(*) FROM pg_stat_activity"
                            + " WHERE query = 'SELECT pg_sleep(30)' AND state = 'active'")) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        });
    }

    @FunctionalInterface
    private interface SqlAction {
        void run() throws SQLException;
    }

    private static SQLException failure(SqlAction action) {
        try {
            action.run();
        } catch (SQLException e) {
            return e;
        }
        throw new AssertionError("expected a failure");
    }
}

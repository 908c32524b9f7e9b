package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.table.Dialect;
import dev.leasehold.lock.table.internal.LeaseStatements;
import dev.leasehold.lock.table.internal.PostgresStatements;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.Test;
import org.postgresql.PGConnection;
import org.postgresql.PGNotification;

/**
 * On PostgreSQL a release sends its notification only when someone waits: a waiter announces itself in the row
 * ({@code wake_until}). A raw connection listens on the table's channel; after the release under test it sends a
 * sentinel notification of its own, and everything that arrived before the sentinel was sent by the release (the
 * release had committed before the sentinel was sent, and notifications arrive in commit order). A table without the
 * column gets it at start-up; where it cannot be added, every release notifies, as before the column existed.
 */
class NotifyOnlyWhenAwaitedTest {

    private static final String SENTINEL = "sentinel";

    /** Longer than any test runs: a waiter that is not woken waits this long, and a holder keeps its lease. */
    private static final Duration LONG = Duration.ofMinutes(2);

    /** The table as it was before wake_until existed. */
    private static final String OLD_DDL = "CREATE TABLE %s (lock_name VARCHAR(255) NOT NULL PRIMARY KEY,"
            + " owner_id VARCHAR(255), token BIGINT NOT NULL, acquired_at TIMESTAMPTZ NOT NULL,"
            + " expires_at TIMESTAMPTZ NOT NULL)";

    private final TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);

    private static LockSettings.Builder settings(String prefix) {
        return LockSettings.builder().tablePrefix(prefix).leaseTime(LONG).retry(RetryOptions.waitUpTo(LONG, LONG));
    }

    @Test
    void aReleaseThatNobodyAwaitsSendsNoNotification() throws Exception {
        String prefix = db.uniquePrefix("quiet");
        try (JdbcLockManager locks =
                        JdbcLockManager.create(db.dataSource(), settings(prefix).build());
                Listener listener = new Listener(channel(locks))) {
            locks.lock("quiet").tryAcquire().orElseThrow().release();
            locks.lock("quiet-hold").tryAcquire().orElseThrow().release(Duration.ofMillis(1));

            assertThat(listener.payloadsBeforeSentinel())
                    .as("notifications of releases nobody waited for")
                    .isEmpty();
            assertThat(wakeUntil(prefix, "quiet"))
                    .as("wake_until of a lock nobody waited for")
                    .isNull();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @Test
    void aReleaseThatAWaiterAwaitsNotifiesAndTheWaiterTakesTheLock() throws Exception {
        String prefix = db.uniquePrefix("awaited");
        try (JdbcLockManager holder =
                        JdbcLockManager.create(db.dataSource(), settings(prefix).build());
                JdbcLockManager waiter =
                        JdbcLockManager.create(db.dataSource(), settings(prefix).build());
                Listener listener = new Listener(channel(holder))) {
            Lease held = holder.lock("awaited").tryAcquire().orElseThrow();
            CompletableFuture<Lease> waiting =
                    CompletableFuture.supplyAsync(() -> waiter.lock("awaited").acquire());
            await().atMost(Duration.ofSeconds(10)).until(() -> isAhead(prefix, "awaited"));

            held.release();

            assertThat(listener.payloadsBeforeSentinel()).containsExactly("awaited");
            // Not woken, the waiter would wait out its retry delay or the lease, both LONG.
            Lease taken = waiting.get(LONG.dividedBy(4).toSeconds(), TimeUnit.SECONDS);
            assertThat(taken.token()).isEqualTo(held.token() + 1);
            taken.release();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @Test
    void aTableWithoutTheColumnGetsItAtStartUpAndItsReleasesStayQuiet() throws Exception {
        String prefix = db.uniquePrefix("migrate");
        String table = Dialect.POSTGRESQL.qualifiedTable(null, prefix);
        Jdbi admin = Jdbi.create(db.dataSource());
        admin.useHandle(h -> h.execute(OLD_DDL.formatted(table)));
        try {
            try (JdbcLockManager unmanaged = JdbcLockManager.create(
                    db.dataSource(),
                    settings(prefix).createTableIfMissing(false).build())) {
                assertThat(columnType(prefix))
                        .as("wake_until after a start-up told not to change the schema")
                        .isNull();
            }
            try (JdbcLockManager locks = JdbcLockManager.create(
                            db.dataSource(), settings(prefix).build());
                    Listener listener = new Listener(channel(locks))) {
                assertThat(columnType(prefix)).isEqualTo("timestamp with time zone");
                locks.lock("migrated").tryAcquire().orElseThrow().release();
                assertThat(listener.payloadsBeforeSentinel()).isEmpty();
            }
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @Test
    void whereTheColumnCannotBeAddedEveryReleaseNotifiesAndWaitersStillWake() throws Exception {
        String prefix = db.uniquePrefix("noalter");
        String table = Dialect.POSTGRESQL.qualifiedTable(null, prefix);
        String role = prefix + "user";
        Jdbi admin = Jdbi.create(db.dataSource());
        // The table belongs to the administrator; the application's role may use it but not alter it.
        admin.useHandle(h -> {
            h.execute(OLD_DDL.formatted(table));
            h.execute("CREATE ROLE " + role + " LOGIN");
            h.execute("GRANT SELECT, INSERT, UPDATE, DELETE ON " + table + " TO " + role);
        });
        try (HikariDataSource limited = pool(role)) {
            try (JdbcLockManager holder =
                            JdbcLockManager.create(limited, settings(prefix).build());
                    JdbcLockManager waiter =
                            JdbcLockManager.create(limited, settings(prefix).build());
                    Listener listener = new Listener(channel(holder))) {
                assertThat(columnType(prefix))
                        .as("wake_until, which this role may not add")
                        .isNull();

                holder.lock("unawaited").tryAcquire().orElseThrow().release();
                assertThat(listener.payloadsBeforeSentinel())
                        .as("without the column, every release notifies, as before it existed")
                        .containsExactly("unawaited");

                Lease held = holder.lock("awaited").tryAcquire().orElseThrow();
                CompletableFuture<Lease> waiting = CompletableFuture.supplyAsync(
                        () -> waiter.lock("awaited").acquire());
                // The waiter only reads the row, so nothing shows that it waits but its listening connection.
                await().atMost(Duration.ofSeconds(10)).until(() -> listeners(role) >= 1);
                held.release();
                Lease taken = waiting.get(LONG.dividedBy(4).toSeconds(), TimeUnit.SECONDS);
                assertThat(taken.token()).isEqualTo(held.token() + 1);
                taken.release();
            }
        } finally {
            db.dropTablesWithPrefix(prefix);
            admin.useHandle(h -> h.execute("DROP ROLE " + role));
        }
    }

    private HikariDataSource pool(String role) {
        HikariDataSource pool = new HikariDataSource();
        pool.setJdbcUrl(db.jdbcUrl());
        pool.setUsername(role);
        pool.setPassword("");
        pool.setMaximumPoolSize(4);
        return pool;
    }

    private static String channel(JdbcLockManager locks) {
        return ((PostgresStatements)
                        LeaseStatements.of(Dialect.POSTGRESQL, locks.table(), Duration.ofMillis(100), "PostgreSQL"))
                .channel();
    }

    /** Sessions of {@code role} listening (the test's own listener runs as the administrator): the waiter's. */
    private int listeners(String role) throws SQLException {
        return ((Number) one("SELECT count(*) FROM pg_stat_activity WHERE usename = ? AND query LIKE 'LISTEN %'", role))
                .intValue();
    }

    private Object wakeUntil(String prefix, String name) throws SQLException {
        return one(
                "SELECT wake_until FROM " + Dialect.POSTGRESQL.qualifiedTable(null, prefix) + " WHERE lock_name = ?",
                name);
    }

    private boolean isAhead(String prefix, String name) throws SQLException {
        return Boolean.TRUE.equals(one(
                "SELECT wake_until > clock_timestamp() FROM " + Dialect.POSTGRESQL.qualifiedTable(null, prefix)
                        + " WHERE lock_name = ?",
                name));
    }

    private String columnType(String prefix) throws SQLException {
        return (String) one(
                "SELECT data_type FROM information_schema.columns WHERE table_schema = current_schema()"
                        + " AND table_name = ? AND column_name = 'wake_until'",
                prefix + "distributed_locks");
    }

    private Object one(String sql, Object arg) throws SQLException {
        try (Connection c = db.connect();
                PreparedStatement s = c.prepareStatement(sql)) {
            s.setObject(1, arg);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? rs.getObject(1) : null;
            }
        }
    }

    /** A raw connection listening on a channel. */
    private final class Listener implements AutoCloseable {
        private final String channel;
        private final Connection connection;

        Listener(String channel) throws SQLException {
            this.channel = channel;
            this.connection = db.connect();
            connection.setAutoCommit(true);
            try (Statement s = connection.createStatement()) {
                s.execute("LISTEN " + channel);
            }
        }

        /** Sends the sentinel from another session and returns the payloads received before it, in order. */
        List<String> payloadsBeforeSentinel() throws SQLException {
            try (Connection other = db.connect();
                    PreparedStatement s = other.prepareStatement("SELECT pg_notify(?, ?)")) {
                other.setAutoCommit(true);
                s.setString(1, channel);
                s.setString(2, SENTINEL);
                s.executeQuery().close();
            }
            List<String> before = new ArrayList<>();
            long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
            PGConnection pg = connection.unwrap(PGConnection.class);
            while (System.nanoTime() < deadline) {
                PGNotification[] batch = pg.getNotifications(1_000);
                for (PGNotification n : batch == null ? new PGNotification[0] : batch) {
                    if (n.getParameter().equals(SENTINEL)) {
                        return before;
                    }
                    before.add(n.getParameter());
                }
            }
            return fail("the sentinel notification did not arrive within 30 s; before it: " + before);
        }

        @Override
        public void close() throws SQLException {
            connection.close();
        }
    }
}

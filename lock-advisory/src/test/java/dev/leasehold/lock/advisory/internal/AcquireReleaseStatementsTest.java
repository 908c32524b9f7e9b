package dev.leasehold.lock.advisory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The release on its own, on one connection as the session runs it: it commits asynchronously for its own transaction
 * only.
 */
class AcquireReleaseStatementsTest {

    private static final TestDatabase DB = TestDatabases.get(DatabaseKind.POSTGRESQL);
    private static final String PREFIX = DB.uniquePrefix("AcqRelStmt");
    private static final Duration LEASE = Duration.ofSeconds(30);

    private static String table;
    private static AdvisoryStatements statements;

    private final long key = System.nanoTime() ^ 0x2545F4914F6CDD1DL;
    private final String name = "n-" + System.nanoTime();

    @BeforeAll
    static void setUp() {
        ConnectionSource connections = ConnectionSource.of(DB.dataSource());
        table = AdvisoryTable.setUp(
                        connections,
                        Jdbi.create(DB.dataSource()),
                        LockSettings.builder().tablePrefix(PREFIX).build())
                .table();
        statements = new AdvisoryStatements(table, Duration.ofMillis(500));
    }

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void theReleaseCommitsAsynchronouslyForItsOwnTransactionOnly() throws Exception {
        try (Connection session = DB.connect();
                Connection other = DB.connect()) {
            LeaseGrant grant =
                    statements.acquire(session, true, key, name, "me", LEASE).orElseThrow();

            assertThat(statements.release(session, name, "me", grant.token(), key))
                    .isEqualTo(new AdvisoryStatements.Release(true, true));

            assertThat(setting(session, "synchronous_commit"))
                    .as("the session's synchronous_commit after a release, for the grants that follow")
                    .isEqualTo("on");
            assertThat(owner(name))
                    .as("the release is visible to everyone at once")
                    .isNull();
            assertThat(statements.acquire(other, true, key, name, "other", LEASE))
                    .isPresent();
            unlock(other, key);
        }
    }

    private static String setting(Connection c, String name) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT current_setting(?)")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getString(1);
            }
        }
    }

    private static String owner(String lockName) throws SQLException {
        return column("owner_id", lockName).orElse(null);
    }

    private static Optional<String> column(String column, String lockName) throws SQLException {
        try (Connection c = DB.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT " + column + " FROM " + table + " WHERE lock_name = ?")) {
            ps.setString(1, lockName);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
            }
        }
    }

    private static void lock(Connection c, long key) throws SQLException {
        call(c, "SELECT pg_advisory_lock(?)", key);
    }

    private static void unlock(Connection c, long key) throws SQLException {
        call(c, "SELECT pg_advisory_unlock(?)", key);
    }

    private static void call(Connection c, String sql, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }

    private static long locksOf(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND pid = pg_backend_pid() AND granted");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getLong(1);
        }
    }
}

package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * 100,000 one-off names, used long ago, purged and locked again: each gets a token larger than the one its row had.
 * The rows are written in bulk with one {@code INSERT … SELECT} over a generated series (varied tokens, half of them
 * with an owner whose lease ran out, all expired 30 days ago), so that the test costs seconds; a held lease survives
 * the purge. By default a spread sample of 1,000 names (every 100th) is locked again through the API; with {@code
 * -Dleasehold.purge.full=true} all 100,000 are.
 */
class PurgeManyNamesTest {

    private static final int NAMES = 100_000;
    private static final int SAMPLE_EVERY = 100;
    private static final boolean FULL = Boolean.getBoolean("leasehold.purge.full");

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void oneHundredThousandIdleNamesArePurgedAndLockedAgainWithLargerTokens(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("purgemany");
        LockSettings settings = LockSettings.builder()
                .tablePrefix(prefix)
                .leaseTime(Duration.ofMinutes(1))
                // MariaDB counts lock waits in whole seconds and an acquire rounds down: below one second an insert
                // that meets a momentary lock (the held lease's heartbeat) is told "held" at once.
                .rowLockTimeout(Duration.ofSeconds(2))
                .retry(RetryOptions.none())
                .build();
        try (JdbcLockManager manager = JdbcLockManager.create(db.dataSource(), settings)) {
            String table = quote(kind, prefix + "distributed_locks");
            insertUsedRows(db, kind, table);
            Lease held = manager.lock("held-through-purge").tryAcquire().orElseThrow();

            Map<String, Long> before = tokens(db, table);
            assertThat(before).hasSize(NAMES + 1);

            assertThat(manager.purgeIdle(Duration.ofDays(1))).isEqualTo(NAMES);

            assertThat(tokens(db, table)).containsOnlyKeys("held-through-purge");
            assertThat(count(db, table))
                    .as("the held row and the token floor's row")
                    .isEqualTo(2);

            for (int i = 1; i <= NAMES; i += FULL ? 1 : SAMPLE_EVERY) {
                String name = "many-" + i;
                Lease again = manager.lock(name).tryAcquire().orElseThrow();
                assertThat(again.token()).as(name).isGreaterThan(before.get(name));
                again.release();
            }
            assertThat(held.isValid()).isTrue();
            held.release();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    /** {@value #NAMES} used rows, expired 30 days ago, tokens 1 to about a million in no order, half with an owner. */
    private static void insertUsedRows(TestDatabase db, DatabaseKind kind, String table) throws SQLException {
        String columns = "INSERT INTO " + table + " (lock_name, owner_id, token, acquired_at, expires_at) ";
        String sql = switch (kind) {
            case POSTGRESQL ->
                columns + "SELECT 'many-' || g, CASE WHEN g % 2 = 0 THEN 'gone' END,"
                        + " (g * 7919) % 1000003 + 1, clock_timestamp() - INTERVAL '31 days',"
                        + " clock_timestamp() - INTERVAL '30 days' FROM generate_series(1, " + NAMES + ") g";
            case H2 ->
                columns + "SELECT 'many-' || X, CASE WHEN MOD(X, 2) = 0 THEN 'gone' END,"
                        + " MOD(X * 7919, 1000003) + 1, DATEADD(DAY, -31, CURRENT_TIMESTAMP(6)),"
                        + " DATEADD(DAY, -30, CURRENT_TIMESTAMP(6)) FROM SYSTEM_RANGE(1, " + NAMES + ")";
            case MARIADB ->
                columns + "SELECT CONCAT('many-', seq), CASE WHEN seq % 2 = 0 THEN 'gone' END,"
                        + " (seq * 7919) % 1000003 + 1, UTC_TIMESTAMP(6) - INTERVAL 31 DAY,"
                        + " UTC_TIMESTAMP(6) - INTERVAL 30 DAY FROM seq_1_to_" + NAMES;
        };
        try (Connection c = db.connect();
                Statement st = c.createStatement()) {
            assertThat(st.executeUpdate(sql)).isEqualTo(NAMES);
            if (!c.getAutoCommit()) {
                c.commit();
            }
        }
    }

    /** The token of every lock name's row; the token floor's row is not a lock's. */
    private static Map<String, Long> tokens(TestDatabase db, String table) throws SQLException {
        Map<String, Long> tokens = new HashMap<>();
        try (Connection c = db.connect();
                PreparedStatement ps =
                        c.prepareStatement("SELECT lock_name, token FROM " + table + " WHERE lock_name <> ?")) {
            ps.setString(1, "");
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tokens.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return tokens;
    }

    private static long count(TestDatabase db, String table) throws SQLException {
        try (Connection c = db.connect();
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    private static String quote(DatabaseKind kind, String identifier) {
        return kind == DatabaseKind.MARIADB ? '`' + identifier + '`' : '"' + identifier + '"';
    }
}

package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.advisory.internal.SessionCheck;
import dev.leasehold.lock.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The start-up self-check that the session connection is a real session (B1, case 27): it passes on a real connection
 * and leaves nothing locked; it refuses a connection whose statements land on different server connections, as
 * behind PgBouncer in transaction mode, and so does building a manager over such a DataSource.
 */
class SessionCheckTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("SessionCheckTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aRealSessionPassesAndKeepsNoProbeLock() throws Exception {
        try (Connection c = DB.dataSource().getConnection()) {
            // A direct connection needs no second connection: the driver's backend pid is the session's.
            int pid = SessionCheck.verify(c, work -> {
                throw new AssertionError("the check borrowed a second connection on a direct connection");
            });
            try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid(), count(*) FROM pg_locks"
                    + " WHERE locktype = 'advisory' AND pid = pg_backend_pid() GROUP BY 1")) {
                try (ResultSet rs = ps.executeQuery()) {
                    assertThat(rs.next()).as("advisory locks left by the check").isFalse();
                }
            }
            assertThat(pid).isEqualTo(backendPid(c));
        }
    }

    @Test
    void aConnectionWhoseTransactionsChangeServersIsRefused() throws Exception {
        try (Connection one = DB.dataSource().getConnection();
                Connection two = DB.dataSource().getConnection()) {
            Connection pooled = Doubles.transactionPooled(List.of(one, two));
            assertThatThrownBy(() -> SessionCheck.verify(pooled, work -> {
                        try (Connection other = DB.dataSource().getConnection()) {
                            work.run(other);
                        }
                    }))
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("session changed between two statements")
                    .hasMessageContaining("PgBouncer")
                    .hasMessageContaining("pool_mode=session");
        }
    }

    @Test
    void buildingAManagerBehindATransactionPoolerFailsWithAnExplanation() {
        try (HikariDataSource pool = DB.newPool("adv-bouncer", 4)) {
            assertThatThrownBy(() -> AdvisoryLockManager.create(
                            Doubles.transactionPooled(pool),
                            TestSupport.settings(PREFIX, Duration.ofSeconds(5)).build()))
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("needs a real database session")
                    .hasMessageContaining("PgBouncer");
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_backend_pid()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

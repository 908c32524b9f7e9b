package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowable;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.testing.OwnedPgBouncer;
import dev.leasehold.lock.testing.OwnedPgBouncer.PoolMode;
import dev.leasehold.lock.testing.TestDatabase;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The advisory backend behind a real PgBouncer. In transaction mode building a manager fails at once with a one-line
 * {@link LockConfigurationException} that says what to do, and leaves no advisory lock on any of PgBouncer's server
 * connections and no connection borrowed; in session mode, where each client keeps its server connection, it works.
 */
class PgBouncerTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("PgBouncerTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void transactionPoolingIsRefusedAtOnceAndLeavesNothingLocked() throws Exception {
        try (OwnedPgBouncer bouncer = OwnedPgBouncer.start(DB, PoolMode.TRANSACTION);
                HikariDataSource pool = bouncer.database().newPool("adv-txn", 4)) {
            long start = System.nanoTime();
            Throwable refused = catchThrowable(() -> AdvisoryLockManager.create(
                    pool, TestSupport.settings(PREFIX, Duration.ofSeconds(5)).build()));
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("time to refuse")
                    .isLessThan(Duration.ofSeconds(5));
            assertThat(refused)
                    .isInstanceOf(LockConfigurationException.class)
                    .hasMessageContaining("needs a real database session")
                    .hasMessageContaining("pool_mode=session")
                    .hasMessageContaining("backend(\"jdbc\")");
            assertThat(refused.getMessage()).as("the reason").doesNotContain("\n");
            assertThat(pool.getHikariPoolMXBean().getActiveConnections())
                    .as("connections still borrowed")
                    .isZero();
            List<Integer> servers = bouncer.serverPids();
            assertThat(servers).as("PgBouncer's server connections").isNotEmpty();
            assertThat(advisoryLocksOf(servers))
                    .as("advisory locks on PgBouncer's server connections")
                    .isZero();
        }
    }

    @Test
    void sessionPoolingKeepsASessionPerManagerAndWorks() {
        try (OwnedPgBouncer bouncer = OwnedPgBouncer.start(DB, PoolMode.SESSION);
                HikariDataSource pool = bouncer.database().newPool("adv-session", 4);
                AdvisoryLockManager one = AdvisoryLockManager.create(
                        pool,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(5)).build());
                AdvisoryLockManager two = AdvisoryLockManager.create(
                        pool,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(5)).build())) {
            Lease lease = one.lock("behind-bouncer").tryAcquire().orElseThrow();
            assertThat(two.lock("behind-bouncer").tryAcquire())
                    .as("the other manager's try")
                    .isEmpty();
            lease.release();
            two.lock("behind-bouncer").tryAcquire().orElseThrow().release();
        }
    }

    /** Advisory locks, granted or awaited, held by these backends. */
    private static int advisoryLocksOf(List<Integer> pids) throws SQLException {
        try (Connection c = DB.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = ANY (?)")) {
            Array array = c.createArrayOf("integer", pids.toArray());
            ps.setArray(1, array);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

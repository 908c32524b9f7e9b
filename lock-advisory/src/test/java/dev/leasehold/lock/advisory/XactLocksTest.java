package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.testing.TestDatabase;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Transaction-scoped advisory locks on the caller's connection or Jdbi handle: a zero timeout never waits, a positive
 * one waits about that long and leaves the transaction usable, the lock ends at commit or rollback, and it excludes a
 * manager's lease of the same name.
 */
class XactLocksTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("XactLocksTest");

    private HikariDataSource pool;
    private AdvisoryLockManager manager;
    private AdvisoryXactLocks locks;
    private Connection first;
    private Connection second;
    private final String name = "xact-" + System.nanoTime();

    @BeforeEach
    void open() throws SQLException {
        pool = DB.newPool("adv-xact", 6);
        manager = AdvisoryLockManager.create(
                pool, TestSupport.settings(PREFIX, Duration.ofSeconds(30)).build());
        locks = manager.transactionLocks();
        first = pool.getConnection();
        first.setAutoCommit(false);
        second = pool.getConnection();
        second.setAutoCommit(false);
    }

    @AfterEach
    void close() throws SQLException {
        first.rollback();
        first.close();
        second.rollback();
        second.close();
        manager.close();
        pool.close();
    }

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aZeroTimeoutNeverWaits() {
        assertThat(locks.tryLock(first, name)).isTrue();
        long start = System.nanoTime();
        assertThat(locks.tryLock(second, name, Duration.ZERO)).isFalse();
        assertThat(locks.tryLock(second, name)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofMillis(200));
    }

    @Test
    void aPositiveTimeoutWaitsAboutThatLongAndLeavesTheTransactionUsable() throws Exception {
        assertThat(locks.tryLock(first, name)).isTrue();
        execute(second, "SET LOCAL lock_timeout = '7s'");
        Duration timeout = Duration.ofMillis(300);
        long start = System.nanoTime();
        assertThat(locks.tryLock(second, name, timeout)).isFalse();
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(waited).isBetween(timeout, timeout.plusMillis(500));
        assertThat(query(second, "SELECT current_setting('lock_timeout')")).isEqualTo("7s");
        assertThat(query(second, "SELECT 'still usable'")).isEqualTo("still usable");
        assertThatThrownBy(() -> locks.lock(second, name, Duration.ofMillis(20)))
                .isInstanceOf(LockAlreadyHeldException.class)
                .hasMessageContaining(name);
    }

    @Test
    void aWaiterGetsTheLockWhenTheHoldersTransactionCommits() throws Exception {
        assertThat(locks.tryLock(first, name)).isTrue();
        CompletableFuture<Boolean> waiting =
                CompletableFuture.supplyAsync(() -> locks.tryLock(second, name, Duration.ofSeconds(10)));
        Thread.sleep(200);
        assertThat(waiting).isNotDone();
        long committedAt = System.nanoTime();
        first.commit();
        assertThat(waiting.get(5, TimeUnit.SECONDS)).isTrue();
        assertThat(Duration.ofNanos(System.nanoTime() - committedAt)).isLessThan(Duration.ofMillis(500));
        assertThat(query(second, "SELECT current_setting('lock_timeout')"))
                .as("the caller's lock_timeout is restored")
                .isEqualTo("0");
    }

    @Test
    void theLockEndsWithARollback() throws Exception {
        assertThat(locks.tryLock(first, name)).isTrue();
        assertThat(locks.tryLock(first, name))
                .as("stacked within one transaction")
                .isTrue();
        assertThat(locks.tryLock(second, name)).isFalse();
        first.rollback();
        assertThat(locks.tryLock(second, name)).isTrue();
        second.commit();
        assertThat(locks.tryLock(first, name)).isTrue();
    }

    @Test
    void transactionLocksAndLeasesOfOneNameExcludeEachOther() throws Exception {
        assertThat(locks.tryLock(first, name)).isTrue();
        assertThat(manager.lock(name).tryAcquire())
                .as("lease while a transaction holds the name")
                .isEmpty();
        first.commit();
        Lease lease = manager.lock(name).tryAcquire().orElseThrow();
        assertThat(locks.tryLock(second, name, Duration.ofMillis(50))).isFalse();
        lease.release();
        assertThat(locks.tryLock(second, name)).isTrue();
    }

    @Test
    void jdbiHandlesInATransactionWork() {
        Jdbi jdbi = Jdbi.create(pool);
        boolean locked = jdbi.inTransaction(h -> locks.tryLock(h, name, Duration.ofMillis(100)));
        assertThat(locked).isTrue();
        try (Handle h = jdbi.open()) {
            assertThatThrownBy(() -> locks.tryLock(h, name))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("handle.begin()");
            h.begin();
            locks.lock(h, name, Duration.ZERO);
            h.rollback();
        }
    }

    @Test
    void badInputIsRejectedBeforeAnyStatement() throws Exception {
        try (Connection auto = pool.getConnection()) {
            assertThatThrownBy(() -> locks.tryLock(auto, name))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("auto-commit");
        }
        assertThatThrownBy(() -> locks.tryLock(first, name, Duration.ofMillis(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("timeout");
        assertThatThrownBy(() -> locks.tryLock(first, " "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("name");
        assertThatThrownBy(() -> locks.tryLock((Connection) null, name))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("connection");
        assertThat(locks.keyOf(name)).isEqualTo(manager.keyOf(name));
    }

    private static void execute(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.execute();
        }
    }

    private static String query(Connection c, String sql) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql);
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getString(1);
        }
    }
}

package dev.leasehold.lock.advisory.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.junit.jupiter.api.Test;

/**
 * The wait statement ({@link AdvisoryStatements#prepareWait}) on its own: it waits only while a session holds the key
 * exclusively, holds nothing once it has answered, and a shared lock that a failed wait left behind can be given back.
 */
class WaitStatementTest {

    private static final TestDatabase DB = TestDatabases.get(DatabaseKind.POSTGRESQL);

    private final long key = System.nanoTime() ^ 0x5DEECE66DL;

    @Test
    void aFreeKeyAnswersAtOnceAndLeavesNothingHeld() throws Exception {
        try (Connection waiter = DB.dataSource().getConnection();
                Connection other = DB.dataSource().getConnection()) {
            // A shared lock of someone else does not make the key held: only an exclusive one does.
            lock(other, "pg_advisory_lock_shared", key);
            try (PreparedStatement ps = AdvisoryStatements.prepareWait(waiter, key, 5_000);
                    ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("waited").isFalse();
            }
            assertThat(locksOf(waiter)).as("advisory locks of the waiter").isZero();
            unlock(other, "pg_advisory_unlock_shared", key);
        }
    }

    @Test
    void aHeldKeyIsWaitedForAndTheSharedLockGivenBackInTheSameStatement() throws Exception {
        try (Connection waiter = DB.dataSource().getConnection();
                Connection holder = DB.dataSource().getConnection()) {
            lock(holder, "pg_advisory_lock", key);
            try (PreparedStatement ps = AdvisoryStatements.prepareWait(waiter, key, 50)) {
                ps.executeQuery().close();
                throw new AssertionError("the wait should have run out");
            } catch (SQLException e) {
                assertThat(e.getSQLState()).isEqualTo("55P03");
            }
            unlock(holder, "pg_advisory_unlock", key);
            try (PreparedStatement ps = AdvisoryStatements.prepareWait(waiter, key, 5_000);
                    ResultSet rs = ps.executeQuery()) {
                assertThat(rs.next()).as("answered").isFalse();
            }
            assertThat(locksOf(waiter)).as("advisory locks of the waiter").isZero();
        }
    }

    @Test
    void aSharedLockLeftByAFailedWaitIsGivenBackAndNothingElse() throws Exception {
        try (Connection waiter = DB.dataSource().getConnection();
                Connection other = DB.dataSource().getConnection()) {
            lock(waiter, "pg_advisory_lock_shared", key); // as a wait cut off between its grant and its unlock
            lock(waiter, "pg_advisory_lock", key + 1); // not the wait's
            AdvisoryStatements.unlockSharedIfHeld(waiter, key);
            assertThat(locksOf(waiter)).as("advisory locks left").isEqualTo(1);
            assertThat(tryLock(other, key)).as("the key is free for others").isTrue();
            unlock(other, "pg_advisory_unlock", key);
            AdvisoryStatements.unlockSharedIfHeld(waiter, key); // nothing held: a no-op
            unlock(waiter, "pg_advisory_unlock", key + 1);
            assertThat(locksOf(waiter)).isZero();
        }
    }

    private static void lock(Connection c, String function, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
            ps.setLong(1, key);
            ps.executeQuery().close();
        }
    }

    private static void unlock(Connection c, String function, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT " + function + "(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                assertThat(rs.getBoolean(1)).as(function + " found the lock").isTrue();
            }
        }
    }

    private static boolean tryLock(Connection c, long key) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("SELECT pg_try_advisory_lock(?)")) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static int locksOf(Connection c) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()");
                ResultSet rs = ps.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }
}

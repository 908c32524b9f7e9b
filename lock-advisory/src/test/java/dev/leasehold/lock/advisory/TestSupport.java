package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What this module's tests share: the PostgreSQL test database (whose {@link TestDatabase#newPool} gives them pools of
 * their own), settings, and queries on {@code pg_locks} and {@code pg_stat_activity}.
 */
final class TestSupport {

    private TestSupport() {}

    static TestDatabase pg() {
        return TestDatabases.get(DatabaseKind.POSTGRESQL);
    }

    /** Settings for tests: the table prefix, the lease time, a third of it as heartbeat, no retries. */
    static LockSettings.Builder settings(String prefix, Duration leaseTime) {
        return LockSettings.builder()
                .tablePrefix(prefix)
                .leaseTime(leaseTime)
                .heartbeatInterval(leaseTime.dividedBy(3))
                .retry(RetryOptions.none());
    }

    static AdvisoryLeaseStore storeOf(AdvisoryLockManager manager) {
        return manager.store();
    }

    /** The backend pids holding a granted session or transaction lock on {@code key} (one-key space). */
    static List<Integer> holdersOf(long key) throws SQLException {
        return pids("granted", key);
    }

    /** The backend pids waiting for a lock on {@code key} (one-key space). */
    static List<Integer> waitersFor(long key) throws SQLException {
        return pids("NOT granted", key);
    }

    private static List<Integer> pids(String condition, long key) throws SQLException {
        try (Connection c = pg().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pid FROM pg_locks WHERE locktype = 'advisory'"
                        + " AND objsubid = 1 AND " + condition
                        + " AND classid::bigint = (CAST(? AS bigint) >> 32) & 4294967295"
                        + " AND objid::bigint = CAST(? AS bigint) & 4294967295"
                        + " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())")) {
            ps.setLong(1, key);
            ps.setLong(2, key);
            List<Integer> pids = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    pids.add(rs.getInt(1));
                }
            }
            return pids;
        }
    }

    /** Whether a backend with this pid is connected. */
    static boolean isConnected(int pid) throws SQLException {
        try (Connection c = pg().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM pg_stat_activity WHERE pid = ?")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1) == 1;
            }
        }
    }

    /** Terminates a backend as an administrator would. */
    static boolean terminate(int pid) throws SQLException {
        try (Connection c = pg().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT pg_terminate_backend(?)")) {
            ps.setInt(1, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}

package dev.leasehold.lock.advisory;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.advisory.internal.AdvisoryLeaseStore;
import dev.leasehold.lock.advisory.internal.ConnectionSource;
import dev.leasehold.lock.tck.Crashes;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import dev.leasehold.lock.testing.TestPool;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.jdbi.v3.core.Jdbi;

/**
 * What this module's tests share: the PostgreSQL test database, pools of their own named for {@code
 * pg_stat_activity}, and queries on {@code pg_locks}.
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

    /**
     * A manager as {@link AdvisoryLockManager#create} builds it, with its store added to {@code resources} as well, so
     * that closing them stops the store's threads even after {@link #crash} abandoned the manager.
     */
    static AdvisoryLockManager manager(
            HikariDataSource pool, LockSettings settings, AdvisoryOptions options, List<AutoCloseable> resources) {
        AdvisoryLeaseStore store =
                AdvisoryLeaseStore.open(ConnectionSource.of(pool), Jdbi.create(pool), settings, options);
        resources.add(store);
        AdvisoryLockManager manager = new AdvisoryLockManager(store, settings);
        resources.add(manager);
        return manager;
    }

    /**
     * Crashes a manager as the death of its process would: its leases are abandoned, never released; the server ends
     * every session of its pool (its advisory locks go with them); and the pool is closed.
     */
    static void crash(AdvisoryLockManager manager, TestPool pool) {
        Crashes.abandon(manager);
        pool.endSessions();
        pool.close();
    }

    /** The one backend that holds {@code key}: the session of the manager holding a lease on it. */
    static int sessionHolding(long key) throws SQLException {
        List<Integer> holders = holdersOf(key);
        if (holders.size() != 1) {
            throw new AssertionError("expected one session to hold advisory key " + key + ", found " + holders);
        }
        return holders.get(0);
    }

    /** How many advisory locks of the one-key space the backend holds. */
    static int advisoryLocksHeldBy(int pid) throws SQLException {
        return count(pg(), "pg_locks WHERE locktype = 'advisory' AND objsubid = 1 AND granted AND pid = ?", pid);
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
        return count(pg(), "pg_stat_activity WHERE pid = ?", pid) == 1;
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

    /** {@code SELECT count(*) FROM} the rest of the query, with one parameter, on {@code db}. */
    private static int count(TestDatabase db, String fromWhere, Object parameter) throws SQLException {
        try (Connection c = db.dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FROM " + fromWhere)) {
            ps.setObject(1, parameter);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

package dev.leasehold.lock.advisory;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
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
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What this module's tests share: the PostgreSQL test database, pools of their own named for {@code
 * pg_stat_activity}, and queries on {@code pg_locks}.
 */
final class TestSupport {

    private static final AtomicInteger POOLS = new AtomicInteger();

    private TestSupport() {}

    static TestDatabase pg() {
        return TestDatabases.get(DatabaseKind.POSTGRESQL);
    }

    /** A new pool name, unique in this JVM and run. */
    static String poolName(String hint) {
        return "leasehold-adv-" + hint + "-" + ProcessHandle.current().pid() + "-" + POOLS.incrementAndGet();
    }

    /** A pool of its own: at most {@code size} connections, none kept idle, named for pg_stat_activity. */
    static HikariDataSource pool(TestDatabase db, String name, int size) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(db.jdbcUrl());
        config.setUsername(db.user());
        config.setPassword(db.password());
        config.setMaximumPoolSize(size);
        config.setMinimumIdle(0);
        config.setPoolName(name);
        config.addDataSourceProperty("ApplicationName", name);
        return new HikariDataSource(config);
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

    /** Terminates every backend whose application_name is {@code name}; returns how many. */
    static int terminateApplication(String name) throws SQLException {
        try (Connection c = pg().dataSource().getConnection();
                PreparedStatement ps = c.prepareStatement("SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))"
                        + " FROM pg_stat_activity WHERE application_name = ? AND pid <> pg_backend_pid()")) {
            ps.setString(1, name);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}

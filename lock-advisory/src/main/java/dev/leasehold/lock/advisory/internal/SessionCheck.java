package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockConfigurationException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The start-up check that a connection really is one database session, as session-level advisory locks need. Behind a
 * pooler in transaction or statement mode (PgBouncer with {@code pool_mode=transaction}), each transaction may run on
 * another server connection: a lock taken by one statement would be held by a backend the next statement never sees,
 * and two clients could both "hold" it.
 *
 * <p>The check, on an auto-commit connection, so that each statement is its own transaction:
 *
 * <ol>
 *   <li>take a session-level advisory lock in the two-key space (which never meets the one-key space of lock names),
 *       keyed by {@link #PROBE_CLASS} and the backend's pid, and read that pid;
 *   <li>in a second transaction, read the pid again and look for that lock in {@code pg_locks};
 *   <li>unlock it.
 * </ol>
 *
 * <p>A different pid, or a lock that is not there, fails the check.
 *
 * <p>This class is thread-safe.
 */
public final class SessionCheck {

    /** The first key of the probe lock: {@code "LHLD"} in ASCII. */
    public static final int PROBE_CLASS = 0x4C484C44;

    private SessionCheck() {}

    /**
     * Checks that {@code connection} keeps one session across transactions.
     *
     * @return the session's backend pid
     * @throws LockConfigurationException if it does not, saying why and what to change
     * @throws SQLException if the database fails
     */
    public static int verify(Connection connection) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.setAutoCommit(true);
        }
        int pid;
        boolean locked;
        try (PreparedStatement ps =
                connection.prepareStatement("SELECT pg_backend_pid(), pg_try_advisory_lock(?, pg_backend_pid())")) {
            ps.setInt(1, PROBE_CLASS);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                pid = rs.getInt(1);
                locked = rs.getBoolean(2);
            }
        }
        int pidAfter;
        boolean seen;
        try (PreparedStatement ps =
                connection.prepareStatement("SELECT pg_backend_pid(), EXISTS (SELECT 1 FROM pg_locks"
                        + " WHERE locktype = 'advisory' AND pid = ? AND classid::bigint = ? AND objid::bigint = ?"
                        + " AND objsubid = 2 AND granted)")) {
            ps.setInt(1, pid);
            ps.setLong(2, PROBE_CLASS);
            ps.setLong(3, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                pidAfter = rs.getInt(1);
                seen = rs.getBoolean(2);
            }
        }
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_advisory_unlock(?, ?)")) {
            ps.setInt(1, PROBE_CLASS);
            ps.setInt(2, pid);
            ps.executeQuery().close();
        }
        if (pidAfter != pid) {
            throw notASession("the connection's session changed between two statements (backend pid " + pid + ", then "
                    + pidAfter + ")");
        }
        if (!locked || !seen) {
            throw notASession("a session-level advisory lock taken by one statement was "
                    + (locked ? "gone in the next one" : "refused") + " (backend pid " + pid + "), so either the"
                    + " server does not keep session-level advisory locks (some PostgreSQL-compatible databases do not)"
                    + " or");
        }
        return pid;
    }

    private static LockConfigurationException notASession(String what) {
        return new LockConfigurationException("the advisory backend needs a real database session, but " + what
                + ". The DataSource seems to go through a pooler in transaction or statement mode, such as PgBouncer"
                + " with pool_mode=transaction, which does not keep session-level advisory locks. Point it at"
                + " PostgreSQL directly or at a PgBouncer pool with pool_mode=session, or use the jdbc backend"
                + " (the lease table alone): Locks.builder().backend(\"jdbc\")");
    }
}

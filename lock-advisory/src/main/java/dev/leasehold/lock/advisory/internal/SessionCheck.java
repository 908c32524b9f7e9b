package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.LockConfigurationException;
import dev.leasehold.lock.table.internal.SessionProbe;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * The start-up check that a connection really is one database session that keeps session-level advisory locks, as the
 * advisory backend needs. Behind a pooler in transaction or statement mode (PgBouncer with {@code
 * pool_mode=transaction}), each transaction may run on another server connection: a lock taken by one statement would
 * be held by a backend the next statement never sees, and two clients could both "hold" it.
 *
 * <p>The check, on an auto-commit connection, so that each statement is its own transaction:
 *
 * <ol>
 *   <li>the session probe of {@code lock-table} ({@link SessionProbe}): the same backend across statements, and, when
 *       a pooler stands in between, not shared with another connection of the same source;
 *   <li>take a session-level advisory lock in the two-key space (which never meets the one-key space of lock names),
 *       keyed by {@link #PROBE_CLASS} and the backend's pid;
 *   <li>in a second transaction, look for that lock in {@code pg_locks} and unlock it.
 * </ol>
 *
 * <p>A connection that is not one session, or a lock that is refused or gone, fails the check with a {@link
 * LockConfigurationException} of one line that says what to change.
 *
 * <p>This class is thread-safe.
 */
public final class SessionCheck {

    /** The first key of the probe lock: {@code "LHLD"} in ASCII. */
    public static final int PROBE_CLASS = 0x4C484C44;

    private SessionCheck() {}

    /**
     * Checks that {@code connection} keeps one session, and its session-level advisory locks, across transactions.
     *
     * @param other lends another connection of the same source, which the probe needs only behind a pooler
     * @return the session's backend pid
     * @throws LockConfigurationException if it does not, saying why and what to change
     * @throws SQLException if the database fails
     */
    public static int verify(Connection connection, SessionProbe.OtherConnection other) throws SQLException {
        SessionProbe.Result probe = SessionProbe.check(connection, other);
        if (!probe.isSession()) {
            throw notASession(probe.problem().orElseThrow());
        }
        int pid = probe.pid();
        boolean locked;
        try (PreparedStatement ps = connection.prepareStatement("SELECT pg_try_advisory_lock(?, ?)")) {
            ps.setInt(1, PROBE_CLASS);
            ps.setInt(2, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                locked = rs.getBoolean(1);
            }
        }
        boolean seen;
        // Unlock only on the backend that holds it, so that a check that fails leaves no warning and no lock behind.
        try (PreparedStatement ps = connection.prepareStatement("SELECT CASE WHEN EXISTS (SELECT 1 FROM pg_locks"
                + " WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND classid::bigint = ?"
                + " AND objid::bigint = ? AND objsubid = 2 AND granted)"
                + " THEN pg_advisory_unlock(?, ?) ELSE false END")) {
            ps.setLong(1, PROBE_CLASS);
            ps.setLong(2, pid);
            ps.setInt(3, PROBE_CLASS);
            ps.setInt(4, pid);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seen = rs.getBoolean(1);
            }
        }
        if (!locked || !seen) {
            throw new LockConfigurationException(
                    "the advisory backend needs session-level advisory locks, but one taken"
                            + " by a statement was " + (locked ? "gone in the next one" : "refused") + " (backend pid "
                            + pid
                            + "): the server does not keep them (some PostgreSQL-compatible databases do not), or a pooler in"
                            + " transaction mode stands in between. Point the DataSource at PostgreSQL directly or at a"
                            + " PgBouncer pool with pool_mode=session, or use the jdbc backend (the lease table alone):"
                            + " Locks.builder().backend(\"jdbc\")");
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

package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.spi.SqlFailures;
import dev.leasehold.lock.table.internal.OwnConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One database session pinned for the advisory locks of a store: a connection taken from the application's DataSource
 * or Jdbi for as long as the session lasts, checked to be a real session ({@link SessionCheck}), with its backend pid.
 * It is never given back to a pool while it may hold anything: it is either discarded (its session ends, and every
 * advisory lock with it) or given back once it has unlocked everything.
 *
 * <p>It runs with TCP keepalives, so that the server ends the session of a client it cannot reach after about a lease
 * time, and with a network timeout, so that a statement on a silent connection fails.
 *
 * <p>This class is not thread-safe: its {@link AdvisorySession} uses it under the session lock.
 */
final class PinnedConnection {

    private static final Logger LOG = LoggerFactory.getLogger(PinnedConnection.class);

    private final ConnectionSource.Borrowed borrowed;
    private final int pid;
    private long lastAliveNanos = System.nanoTime();
    private boolean spoken;
    private long spokenAtNanos;

    private PinnedConnection(ConnectionSource.Borrowed borrowed, int pid) {
        this.borrowed = borrowed;
        this.pid = pid;
    }

    /** The network timeout of a session for leases of {@code leaseTime}. */
    static int networkTimeoutMillis(Duration leaseTime) {
        return (int) OwnConnections.networkTimeout(leaseTime).toMillis();
    }

    /**
     * Takes a connection from {@code connections} and makes it the session: auto-commit, the network timeout, the
     * session check, and keepalives; discards it if any of that fails.
     *
     * @param namespace the key namespace of the store, for the log
     * @throws dev.leasehold.lock.LockConfigurationException if the connection is not a real session
     */
    static PinnedConnection open(ConnectionSource connections, Duration leaseTime, String namespace)
            throws SQLException {
        ConnectionSource.Borrowed b = connections.borrow();
        try {
            Connection c = b.connection();
            if (!c.getAutoCommit()) {
                c.setAutoCommit(true);
            }
            try {
                c.setNetworkTimeout(Runnable::run, networkTimeoutMillis(leaseTime));
            } catch (SQLFeatureNotSupportedException e) {
                LOG.debug("the driver has no network timeout; a cut connection is noticed by the heartbeat only");
            }
            int pid = SessionCheck.verify(c, work -> {
                try (ConnectionSource.Borrowed other = connections.borrow()) {
                    work.run(other.connection());
                }
            });
            long leaseSeconds = Math.max(1, (leaseTime.toMillis() + 999) / 1000);
            // The server ends the session of a client it cannot reach after about a lease time (at least 4 s of
            // silence).
            AdvisoryStatements.setKeepalives(c, new int[] {
                (int) Math.max(1, leaseSeconds / 2), (int) Math.max(1, leaseSeconds / 6), 3
            });
            LOG.debug("opened the advisory session (backend pid {}) for {}", pid, namespace);
            return new PinnedConnection(b, pid);
        } catch (SQLException | RuntimeException e) {
            b.discard();
            throw e;
        }
    }

    /** Starts a call on the session: it has not spoken to the server yet. */
    void beginCall() {
        spoken = false;
    }

    /** The connection, for a statement of the running call; its first use marks when the call spoke to the server. */
    Connection connection() {
        if (!spoken) {
            spoken = true;
            spokenAtNanos = System.nanoTime();
        }
        return borrowed.connection();
    }

    /** The running call succeeded: if it spoke to the server, the session was alive when it first did. */
    void callSucceeded() {
        if (spoken) {
            lastAliveNanos = spokenAtNanos;
        }
    }

    /** Whether no call has had an answer from the session for {@code nanos} before {@code nowNanos}. */
    boolean idleFor(long nanos, long nowNanos) {
        return nowNanos - lastAliveNanos >= nanos;
    }

    /** The backend pid of the session. */
    int pid() {
        return pid;
    }

    /** Whether a failure on this connection means that the session is gone (or can no longer be trusted). */
    boolean endedBy(SQLException e) {
        return SqlFailures.endsSession(e) || borrowed.isPhysicallyClosed();
    }

    /** Ends the session: closes the physical connection, so that nothing it holds outlives it. Never throws. */
    void discard() {
        borrowed.discard();
    }

    /**
     * Gives back every advisory lock ({@code pg_advisory_unlock_all}) and returns the connection to its pool; if that
     * fails, discards it so that its session ends.
     */
    void close() {
        try {
            AdvisoryStatements.unlockAll(borrowed.connection());
        } catch (SQLException | RuntimeException e) {
            LOG.debug("could not unlock the session cleanly; discarding it", e);
            borrowed.discard();
            return;
        }
        borrowed.close();
    }
}

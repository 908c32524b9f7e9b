package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.table.internal.OwnConnections;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * Gives every lease operation a Jdbi handle of its own, committed by the operation itself. The handle is always opened
 * anew ({@link Jdbi#open()}): {@code Jdbi.withHandle} would hand a nested call the handle the thread already has
 * open, and with it the application's transaction. Its connection then follows the rules of {@link OwnConnections}:
 * never one inside someone else's transaction, manual-commit pools served, a network timeout while the operation runs.
 *
 * <p>This class is thread-safe.
 */
public final class OwnHandles {

    private final Jdbi jdbi;
    private final OwnConnections rules;

    /** Handles from {@code jdbi}, each with {@code networkTimeout} while an operation runs on it. */
    public OwnHandles(Jdbi jdbi, Duration networkTimeout) {
        this.jdbi = jdbi;
        this.rules = new OwnConnections(jdbi, networkTimeout);
    }

    /** The Jdbi handles come from. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Runs {@code work} on a handle of its own and commits it: statements run in auto-commit mode, or in a transaction
     * of their own that is committed when {@code work} returns (rolled back when it throws).
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the connection arrives inside someone else's
     *     transaction
     */
    public <T> T withHandle(HandleCallback<T, RuntimeException> work) {
        try (Handle h = jdbi.open();
                OwnConnections.Use use = rules.take(h.getConnection())) {
            if (use.autoCommit()) {
                return work.withHandle(h);
            }
            Connection c = h.getConnection();
            try {
                T result = work.withHandle(h);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            }
        } catch (SQLException e) {
            throw new ConnectionException(e);
        }
    }

    /** Work on a connection of its own, in plain JDBC. */
    @FunctionalInterface
    public interface ConnectionWork<T> {
        /** Runs on {@code c}; the caller commits (or rolls back) and returns the connection. */
        T run(Connection c) throws SQLException;
    }

    /**
     * Runs {@code work} in plain JDBC on the connection of a handle of its own, under the same rules and commit as
     * {@link #withHandle}. For the hot statements of a store (acquire, release): Jdbi's statement machinery (statement
     * context, argument and mapper lookup per call) costs more client time than the round trip itself on a fast
     * database; the handle is still opened through Jdbi, so that the application's Jdbi plugins that decorate
     * connections still apply. Database failures come out as the driver's {@link SQLException}.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the connection arrives inside someone else's
     *     transaction
     */
    public <T> T withConnection(ConnectionWork<T> work) throws SQLException {
        try (Handle h = jdbi.open();
                OwnConnections.Use use = rules.take(h.getConnection())) {
            Connection c = h.getConnection();
            if (use.autoCommit()) {
                return work.run(c);
            }
            try {
                T result = work.run(c);
                c.commit();
                return result;
            } catch (SQLException | RuntimeException | Error e) {
                rollbackQuietly(c, e);
                throw e;
            }
        }
    }

    /**
     * A handle of its own in auto-commit mode with the network timeout, for a connection kept open (a listener). The
     * caller closes it; a pool puts the connection's settings back when it is returned.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the connection arrives inside someone else's
     *     transaction
     */
    public Handle openAutoCommit() throws SQLException {
        Handle h = jdbi.open();
        try {
            OwnConnections.Use use = rules.take(h.getConnection());
            if (!use.autoCommit()) {
                h.getConnection().setAutoCommit(true); // a manual-commit pool's fresh connection: nothing is open on it
            }
            return h;
        } catch (SQLException | RuntimeException | Error e) {
            h.close();
            throw e;
        }
    }

    private static void rollbackQuietly(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}

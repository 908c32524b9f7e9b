package dev.leasehold.lock.jdbc.internal;

import dev.leasehold.lock.LockConfigurationException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import javax.sql.DataSource;
import org.jdbi.v3.core.ConnectionException;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.HandleCallback;
import org.jdbi.v3.core.Jdbi;

/**
 * Gives every lease operation a connection of its own, committed by the operation itself, so that Leasehold's
 * statements never join, wait on, or change a transaction of the caller's thread:
 *
 * <ol>
 *   <li>A handle is always opened anew ({@link Jdbi#open()}): {@code Jdbi.withHandle} would hand a nested call the
 *       handle the thread already has open, and with it the application's transaction.
 *   <li>A Spring {@code TransactionAwareDataSourceProxy}, which hands out the connection of the thread's transaction, is
 *       unwrapped to the DataSource behind it ({@link #unwrap}).
 *   <li>A connection that arrives inside a transaction anyway (auto-commit off, although the source's first
 *       connection, taken at start-up, was in auto-commit mode: a Jdbi over Spring's {@code DataSourceUtils}, say) is refused with a
 *       {@link LockConfigurationException} that says what to give Leasehold instead; nothing is run on it.
 *   <li>A source whose connections are all in manual-commit mode (a pool configured with {@code autoCommit=false}) is
 *       served too: each operation commits its own work, or rolls it back when it fails.
 *   <li>While an operation runs, its connection has a network timeout ({@link Connection#setNetworkTimeout}, put back
 *       afterwards), so that a server that stops answering (frozen, or cut off without a reset) fails the statement
 *       as a lost connection instead of blocking the caller, or the manager's renewals, for as long as the driver's
 *       default allows (forever, for pgjdbc).
 * </ol>
 *
 * <p>This class is thread-safe.
 */
public final class OwnConnections {

    private static final String SPRING_TRANSACTION_AWARE_PROXY =
            "org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy";

    private final Jdbi jdbi;
    private final int networkTimeoutMillis;

    /** Whether the source hands out auto-commit connections, as the first connection taken showed; null before. */
    private volatile Boolean autoCommitSource;

    /** False once the driver said it has no network timeout (an embedded H2, say). */
    private volatile boolean networkTimeoutSupported = true;

    /**
     * Connections from {@code jdbi}, each with {@code networkTimeout} while an operation runs on it. The first one taken
     * (at start-up, by the table set-up) shows the source's default commit mode.
     */
    public OwnConnections(Jdbi jdbi, Duration networkTimeout) {
        this.jdbi = jdbi;
        this.networkTimeoutMillis = (int) Math.min(Integer.MAX_VALUE, networkTimeout.toMillis());
    }

    /**
     * The network timeout of lease operations for a lease time: a third of it, between 2 s and 30 s. Long enough for
     * any statement Leasehold runs; short enough that a renewal stuck on a silent server gives up, and is retried on
     * another connection, while the lease still has time left.
     */
    public static Duration networkTimeout(Duration leaseTime) {
        Duration third = leaseTime.dividedBy(3);
        Duration min = Duration.ofSeconds(2);
        Duration max = Duration.ofSeconds(30);
        return third.compareTo(min) < 0 ? min : third.compareTo(max) > 0 ? max : third;
    }

    /**
     * The DataSource to take connections of our own from: the target of a Spring {@code
     * TransactionAwareDataSourceProxy} (found by name, so that Spring is no dependency), else {@code dataSource}.
     */
    public static DataSource unwrap(DataSource dataSource) {
        DataSource current = dataSource;
        for (int depth = 0; depth < 8 && isTransactionAware(current.getClass()); depth++) {
            try {
                Method target = current.getClass().getMethod("getTargetDataSource");
                Object next = target.invoke(current);
                if (!(next instanceof DataSource ds)) {
                    break;
                }
                current = ds;
            } catch (ReflectiveOperationException | RuntimeException e) {
                throw new LockConfigurationException(
                        "cannot reach the DataSource behind "
                                + current.getClass().getName()
                                + ", which hands out the connection of the caller's transaction: give Leasehold the"
                                + " DataSource behind it (the connection pool)",
                        e);
            }
        }
        return current;
    }

    private static boolean isTransactionAware(Class<?> type) {
        for (Class<?> c = type; c != null; c = c.getSuperclass()) {
            if (c.getName().equals(SPRING_TRANSACTION_AWARE_PROXY)) {
                return true;
            }
        }
        return false;
    }

    /** The Jdbi connections come from. */
    public Jdbi jdbi() {
        return jdbi;
    }

    /**
     * Runs {@code work} on a handle of its own and commits it: statements run in auto-commit mode, or in a transaction
     * of their own that is committed when {@code work} returns (rolled back when it throws).
     *
     * @throws LockConfigurationException if the connection arrives inside someone else's transaction
     */
    public <T> T withHandle(HandleCallback<T, RuntimeException> work) {
        try (Handle h = jdbi.open()) {
            Connection c = h.getConnection();
            boolean autoCommit = autoCommit(c);
            int previousTimeout = applyNetworkTimeout(c);
            try {
                if (autoCommit) {
                    return work.withHandle(h);
                }
                try {
                    T result = work.withHandle(h);
                    c.commit();
                    return result;
                } catch (SQLException | RuntimeException | Error e) {
                    rollbackQuietly(c, e);
                    throw e;
                }
            } finally {
                restoreNetworkTimeout(c, previousTimeout);
            }
        } catch (SQLException e) {
            throw new ConnectionException(e);
        }
    }

    /** Sets the network timeout of lease operations on {@code c}; returns the one it had, or -1 if none was set. */
    private int applyNetworkTimeout(Connection c) {
        if (!networkTimeoutSupported) {
            return -1;
        }
        try {
            int previous = c.getNetworkTimeout();
            c.setNetworkTimeout(Runnable::run, networkTimeoutMillis);
            return previous;
        } catch (SQLFeatureNotSupportedException | UnsupportedOperationException | AbstractMethodError e) {
            networkTimeoutSupported = false;
            return -1;
        } catch (SQLException e) {
            return -1; // a closed connection: the statement reports it
        }
    }

    private static void restoreNetworkTimeout(Connection c, int previous) {
        if (previous < 0) {
            return;
        }
        try {
            c.setNetworkTimeout(Runnable::run, previous);
        } catch (SQLException | RuntimeException e) {
            // The connection broke; the pool discards it.
        }
    }

    /**
     * A handle of its own in auto-commit mode, for a connection kept open (a listener). The caller closes it.
     *
     * @throws LockConfigurationException if the connection arrives inside someone else's transaction
     */
    public Handle openAutoCommit() throws SQLException {
        Handle h = jdbi.open();
        try {
            Connection c = h.getConnection();
            if (!autoCommit(c)) {
                c.setAutoCommit(true); // a manual-commit pool's fresh connection: nothing is open on it
            }
            applyNetworkTimeout(c); // kept while the connection is open; a pool resets it when it is returned
            return h;
        } catch (SQLException | RuntimeException | Error e) {
            h.close();
            throw e;
        }
    }

    /**
     * Checks a connection taken from a source that handed out auto-commit connections at start-up, before anything is
     * run on it.
     *
     * @return whether it is in auto-commit mode; false only for a source whose connections all come in manual-commit
     *     mode
     * @throws LockConfigurationException if it arrives inside someone else's transaction
     */
    public static boolean checkOwn(Connection c, boolean autoCommitSource, Object source) throws SQLException {
        if (c.getAutoCommit()) {
            return true;
        }
        if (autoCommitSource) {
            throw joinedTransaction(source);
        }
        return false;
    }

    private boolean autoCommit(Connection c) throws SQLException {
        Boolean expected = autoCommitSource;
        if (expected == null) {
            expected = c.getAutoCommit();
            autoCommitSource = expected;
        }
        return checkOwn(c, expected, jdbi);
    }

    private static LockConfigurationException joinedTransaction(Object source) {
        return new LockConfigurationException("the connection Leasehold took from " + source
                + " is inside an open transaction (auto-commit is off, unlike the connections it handed out at"
                + " start-up): it is bound to the caller's transaction, which Leasehold's lease statements never join."
                + " Give Leasehold a DataSource whose getConnection() returns a connection of its own (the pool"
                + " itself, not a transaction-aware proxy, and not a Jdbi built on Spring's connection factory)");
    }

    private static void rollbackQuietly(Connection c, Throwable failure) {
        try {
            c.rollback();
        } catch (SQLException | RuntimeException e) {
            failure.addSuppressed(e);
        }
    }
}

package dev.leasehold.lock.table.internal;

import dev.leasehold.lock.LockConfigurationException;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import javax.sql.DataSource;

/**
 * The rules that make a connection one of Leasehold's own, so that lease statements never join, wait on, or change a
 * transaction of the caller's thread; one instance per connection source:
 *
 * <ol>
 *   <li>A Spring {@code TransactionAwareDataSourceProxy}, which hands out the connection of the thread's transaction, is
 *       unwrapped to the DataSource behind it ({@link #unwrap}).
 *   <li>A connection that arrives inside a transaction anyway (auto-commit off, although the source's first
 *       connection, taken at start-up, was in auto-commit mode: a Jdbi over Spring's {@code DataSourceUtils}, say) is
 *       refused with a {@link LockConfigurationException} that says what to give Leasehold instead, before anything
 *       runs on it.
 *   <li>A source whose connections all come in manual-commit mode (a pool configured with {@code autoCommit=false}) is
 *       served too: {@link Use#autoCommit()} is false, and the operation commits its own work.
 *   <li>While an operation runs, its connection has a network timeout ({@link Connection#setNetworkTimeout}, put back
 *       by {@link Use#close()}), so that a server that stops answering (frozen, or cut off without a reset) fails the
 *       statement as a lost connection instead of blocking the caller, or the manager's renewals, for as long as the
 *       driver's default allows (forever, for pgjdbc).
 * </ol>
 *
 * <p>This class is thread-safe.
 */
public final class OwnConnections {

    private static final String SPRING_TRANSACTION_AWARE_PROXY =
            "org.springframework.jdbc.datasource.TransactionAwareDataSourceProxy";

    private final Object source;
    private final int networkTimeoutMillis;

    /** Whether the source hands out auto-commit connections, as the first connection taken showed; null before. */
    private volatile Boolean autoCommitSource;

    /** False once the driver said it has no network timeout (an embedded H2, say). */
    private volatile boolean networkTimeoutSupported = true;

    /**
     * The rules for connections of {@code source} (named in error messages), each with {@code networkTimeout} while an
     * operation runs on it.
     */
    public OwnConnections(Object source, Duration networkTimeout) {
        this.source = source;
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
     *
     * @throws LockConfigurationException if the DataSource behind such a proxy cannot be reached
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

    /**
     * Checks a connection just taken from the source and gives it the network timeout, before anything runs on it.
     * Close the returned use when the operation is done (before the connection goes back).
     *
     * @throws LockConfigurationException if it arrives inside someone else's transaction
     */
    public Use take(Connection c) throws SQLException {
        Boolean expected = autoCommitSource;
        if (expected == null) {
            expected = c.getAutoCommit();
            autoCommitSource = expected;
        }
        boolean autoCommit = checkOwn(c, expected, source);
        return new Use(c, autoCommit, applyNetworkTimeout(c));
    }

    /**
     * Checks a connection taken from a source that handed out auto-commit connections at start-up (when {@code
     * autoCommitSource}), before anything runs on it.
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
            throw new LockConfigurationException("the connection Leasehold took from " + source
                    + " is inside an open transaction (auto-commit is off, unlike the connections it handed out at"
                    + " start-up): it is bound to the caller's transaction, which Leasehold's lease statements never"
                    + " join. Give Leasehold a DataSource whose getConnection() returns a connection of its own (the"
                    + " pool itself, not a transaction-aware proxy, and not a Jdbi built on Spring's connection"
                    + " factory)");
        }
        return false;
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

    /** One operation's use of a connection of its own. Not thread-safe: one user at a time. */
    public static final class Use implements AutoCloseable {
        private final Connection connection;
        private final boolean autoCommit;
        private final int previousTimeout;

        private Use(Connection connection, boolean autoCommit, int previousTimeout) {
            this.connection = connection;
            this.autoCommit = autoCommit;
            this.previousTimeout = previousTimeout;
        }

        /** Whether statements commit by themselves; if not, the operation commits its own work. */
        public boolean autoCommit() {
            return autoCommit;
        }

        /** Puts the connection's network timeout back. Never throws: a broken connection is discarded by its pool. */
        @Override
        public void close() {
            if (previousTimeout < 0) {
                return;
            }
            try {
                connection.setNetworkTimeout(Runnable::run, previousTimeout);
            } catch (SQLException | RuntimeException e) {
                // The connection broke; its pool discards it.
            }
        }
    }
}

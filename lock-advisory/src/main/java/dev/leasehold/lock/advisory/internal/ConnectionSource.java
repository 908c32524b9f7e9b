package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.table.internal.OwnConnections;
import java.lang.reflect.Method;
import java.sql.Connection;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jdbi.v3.core.Handle;
import org.jdbi.v3.core.Jdbi;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the advisory backend gets its connections: the application's DataSource (usually a pool) or Jdbi. A connection
 * is either given back as it is, or discarded: its physical connection closed, so that its session ends and every
 * advisory lock it holds with it, and never handed to anyone else by a pool.
 *
 * <p>Implementations are thread-safe.
 */
public abstract class ConnectionSource {

    private static final Logger LOG = LoggerFactory.getLogger(ConnectionSource.class);

    private ConnectionSource() {}

    /** Connections from a DataSource. */
    public static ConnectionSource of(DataSource dataSource) {
        return new FromDataSource(dataSource);
    }

    /** Connections from Jdbi handles. */
    public static ConnectionSource of(Jdbi jdbi) {
        return new FromJdbi(jdbi);
    }

    /** Whether the source hands out auto-commit connections, as the first one taken showed; null before. */
    private volatile Boolean autoCommitSource;

    /**
     * Takes a connection of its own: never one inside the caller's transaction.
     *
     * @throws dev.leasehold.lock.LockConfigurationException if the connection arrives inside an open transaction
     */
    public final Borrowed borrow() throws SQLException {
        Borrowed b = take();
        try {
            Boolean expected = autoCommitSource;
            if (expected == null) {
                expected = b.connection().getAutoCommit();
                autoCommitSource = expected;
            }
            OwnConnections.checkOwn(b.connection(), expected, this);
            return b;
        } catch (SQLException | RuntimeException | Error e) {
            b.close();
            throw e;
        }
    }

    /** Takes a connection from the source. */
    abstract Borrowed take() throws SQLException;

    /** Tells a pool to drop this connection instead of keeping it, where the pool lets us (HikariCP does). */
    void evict(Connection connection) {}

    /** A connection taken from the source. Not thread-safe: one user at a time. */
    public final class Borrowed implements AutoCloseable {
        private final Connection connection;
        private final AutoCloseable giveBack;
        private boolean done;

        Borrowed(Connection connection, AutoCloseable giveBack) {
            this.connection = connection;
            this.giveBack = giveBack;
        }

        /** The connection. */
        public Connection connection() {
            return connection;
        }

        /** Whether the physical connection is closed (after a fatal error, the driver closes it). */
        public boolean isPhysicallyClosed() {
            try {
                return physical().isClosed();
            } catch (SQLException | RuntimeException e) {
                return true;
            }
        }

        private Connection physical() {
            try {
                Connection p = connection.unwrap(Connection.class);
                return p != null ? p : connection;
            } catch (SQLException | RuntimeException e) {
                return connection;
            }
        }

        /** Gives the connection back (to the pool, or closes it when there is none). */
        @Override
        public void close() {
            if (done) {
                return;
            }
            done = true;
            try {
                giveBack.close();
            } catch (Exception e) {
                LOG.debug("giving back a connection failed", e);
            }
        }

        /**
         * Ends the connection's session: closes the physical connection (its advisory locks die with the session),
         * asks the pool to evict it, then gives back the wrapper. Never throws.
         */
        public void discard() {
            if (done) {
                return;
            }
            Connection p = physical();
            if (p != connection) {
                try {
                    p.close();
                } catch (SQLException | RuntimeException e) {
                    LOG.debug("closing a physical connection failed", e);
                }
            }
            evict(connection);
            close();
        }
    }

    private static final class FromDataSource extends ConnectionSource {
        private final DataSource dataSource;
        private final Method evict;

        FromDataSource(DataSource dataSource) {
            this.dataSource = dataSource;
            this.evict = evictMethod(dataSource);
        }

        /** HikariCP's {@code evictConnection(Connection)}, found by name so that no pool is a dependency. */
        private static Method evictMethod(DataSource dataSource) {
            try {
                Method m = dataSource.getClass().getMethod("evictConnection", Connection.class);
                return m.getReturnType() == void.class ? m : null;
            } catch (NoSuchMethodException | RuntimeException e) {
                return null;
            }
        }

        @Override
        Borrowed take() throws SQLException {
            Connection c = dataSource.getConnection();
            return new Borrowed(c, c);
        }

        @Override
        void evict(Connection connection) {
            if (evict != null) {
                try {
                    evict.invoke(dataSource, connection);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    LOG.debug("evicting a connection from {} failed", dataSource, e);
                }
            }
        }

        @Override
        public String toString() {
            return dataSource.toString();
        }
    }

    private static final class FromJdbi extends ConnectionSource {
        private final Jdbi jdbi;

        FromJdbi(Jdbi jdbi) {
            this.jdbi = jdbi;
        }

        @Override
        Borrowed take() throws SQLException {
            Handle h;
            try {
                h = jdbi.open();
            } catch (RuntimeException e) {
                if (e.getCause() instanceof SQLException sql) {
                    throw sql;
                }
                throw e;
            }
            return new Borrowed(h.getConnection(), h);
        }

        @Override
        public String toString() {
            return jdbi.toString();
        }
    }
}

package dev.leasehold.lock.testing;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.Map;
import java.util.Objects;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} that opens a new physical connection to a test database on every call, outside any pool, with
 * the short connect timeouts of {@link TestDatabase#connect()}: for a pool to hold, or for a test that counts or
 * interferes below a pool. Extend it and override {@link #getConnection()} to intercept each new connection.
 *
 * <p>This class is thread-safe.
 */
public class DriverDataSource implements DataSource {

    private final TestDatabase db;
    private final Map<String, String> properties;

    /** A data source of plain connections to {@code db}. */
    public DriverDataSource(TestDatabase db) {
        this(db, Map.of());
    }

    /** A data source whose connections also carry these driver properties (they win over the defaults). */
    DriverDataSource(TestDatabase db, Map<String, String> properties) {
        this.db = Objects.requireNonNull(db, "db");
        this.properties = Map.copyOf(properties);
    }

    /** The database the connections go to. */
    public TestDatabase database() {
        return db;
    }

    @Override
    public Connection getConnection() throws SQLException {
        return DatabaseResolver.connect(db.kind(), db.jdbcUrl(), db.user(), db.password(), properties);
    }

    /** A connection as {@code user}, with the same properties. */
    @Override
    public Connection getConnection(String user, String password) throws SQLException {
        return DatabaseResolver.connect(db.kind(), db.jdbcUrl(), user, password, properties);
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {}

    @Override
    public int getLoginTimeout() {
        return 0;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        throw new SQLException("not a wrapper");
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return false;
    }

    @Override
    public String toString() {
        return "connections to " + db;
    }
}

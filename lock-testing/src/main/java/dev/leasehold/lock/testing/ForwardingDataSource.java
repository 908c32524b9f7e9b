package dev.leasehold.lock.testing;

import java.io.PrintWriter;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A {@link DataSource} in front of another that hands out the other's connections as {@link #handOut} changes them;
 * everything else (log writer, login timeout, unwrapping) is the other's.
 *
 * <p>This class is thread-safe if {@link #handOut} is.
 */
abstract class ForwardingDataSource implements DataSource {

    /** Opens a connection of the data source behind. */
    interface Opener {
        Connection open() throws SQLException;
    }

    private final DataSource delegate;

    ForwardingDataSource(DataSource delegate) {
        this.delegate = delegate;
    }

    /** The connection {@code open} opens, as this data source hands it out; {@code open} may be left uncalled. */
    abstract Connection handOut(Opener open) throws SQLException;

    @Override
    public final Connection getConnection() throws SQLException {
        return handOut(delegate::getConnection);
    }

    @Override
    public final Connection getConnection(String username, String password) throws SQLException {
        return handOut(() -> delegate.getConnection(username, password));
    }

    @Override
    public PrintWriter getLogWriter() throws SQLException {
        return delegate.getLogWriter();
    }

    @Override
    public void setLogWriter(PrintWriter out) throws SQLException {
        delegate.setLogWriter(out);
    }

    @Override
    public void setLoginTimeout(int seconds) throws SQLException {
        delegate.setLoginTimeout(seconds);
    }

    @Override
    public int getLoginTimeout() throws SQLException {
        return delegate.getLoginTimeout();
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        return delegate.getParentLogger();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        return delegate.unwrap(iface);
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) throws SQLException {
        return delegate.isWrapperFor(iface);
    }
}

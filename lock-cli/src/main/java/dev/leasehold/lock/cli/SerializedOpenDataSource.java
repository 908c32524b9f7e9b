package dev.leasehold.lock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * Opens connections to the embedded H2 file one process at a time. H2's auto-server mode settles who serves the file
 * through a lock file; several processes opening it at the same instant can each find that file "recently modified"
 * and give up. An operating-system lock on a file next to the database makes them take turns for the moment of
 * opening (it is released at once, or when a process dies); once open, they share the file through H2's server.
 *
 * <p>This class is thread-safe.
 */
final class SerializedOpenDataSource implements DataSource {

    private static final ReentrantLock IN_THIS_JVM = new ReentrantLock();

    private final String url;
    private final Path turnFile;

    SerializedOpenDataSource(String url, Path turnFile) {
        this.url = url;
        this.turnFile = turnFile;
    }

    @Override
    public Connection getConnection() throws SQLException {
        // The OS lock belongs to the process, so threads of one JVM take turns on a lock of their own first.
        IN_THIS_JVM.lock();
        try (FileChannel channel = FileChannel.open(turnFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
                FileLock turn = channel.lock()) {
            return DriverManager.getConnection(url);
        } catch (IOException e) {
            throw new SQLException("cannot take turns on " + turnFile + ": " + e.getMessage(), "08001", e);
        } finally {
            IN_THIS_JVM.unlock();
        }
    }

    @Override
    public Connection getConnection(String username, String password) throws SQLException {
        return getConnection();
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
}

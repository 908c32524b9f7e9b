package dev.leasehold.lock.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * The embedded store: an H2 database file that the processes of one machine take turns to own. Each connection holds
 * an operating-system lock on a file next to the database for as long as it is open, and the database is open only
 * while a connection is (every lock operation is one short connection), so no process ever serves the file to
 * another and no hand-over can fail when a process exits. A process that dies releases its turn with its file lock.
 *
 * <p>This class is thread-safe: threads of one process take turns on a semaphore first, since the operating system's
 * lock belongs to the process.
 */
final class TurnTakingDataSource implements DataSource {

    private static final Map<Path, Semaphore> IN_THIS_JVM = new ConcurrentHashMap<>();
    private static final Duration MAX_WAIT = Duration.ofSeconds(30);

    private final Path database;
    private final Path turnFile;
    private final String url;

    /** The store whose database file is {@code database} (without H2's {@code .mv.db} suffix). */
    TurnTakingDataSource(Path database) {
        this.database = database.toAbsolutePath();
        this.turnFile = Path.of(this.database + ".turn");
        this.url = "jdbc:h2:file:" + this.database;
    }

    /** The database as a JDBC URL, for messages. */
    String url() {
        return url;
    }

    @Override
    public Connection getConnection() throws SQLException {
        Semaphore local = IN_THIS_JVM.computeIfAbsent(database, p -> new Semaphore(1, true));
        try {
            if (!local.tryAcquire(MAX_WAIT.toMillis(), TimeUnit.MILLISECONDS)) {
                throw busy(null);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SQLException("interrupted while waiting for the embedded store", "08001", e);
        }
        FileChannel channel = null;
        try {
            channel = FileChannel.open(turnFile, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            FileLock turn = waitForTurn(channel);
            Connection connection = DriverManager.getConnection(url);
            return endingTurnOnClose(connection, turn, channel, local);
        } catch (SQLException | IOException | RuntimeException e) {
            closeQuietly(channel);
            local.release();
            throw e instanceof SQLException sql ? sql : busy(e);
        }
    }

    private FileLock waitForTurn(FileChannel channel) throws IOException, SQLException {
        long deadline = System.nanoTime() + MAX_WAIT.toNanos();
        while (true) {
            FileLock lock = channel.tryLock();
            if (lock != null) {
                return lock;
            }
            if (System.nanoTime() - deadline > 0) {
                throw busy(null);
            }
            try {
                Thread.sleep(2);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new SQLException("interrupted while waiting for the embedded store", "08001", e);
            }
        }
    }

    private SQLException busy(Exception cause) {
        return new SQLException(
                "the embedded store " + database + " stayed busy for " + MAX_WAIT.toSeconds() + " s", "08001", cause);
    }

    /** The connection, whose close also closes the database file and ends this process's turn. */
    private static Connection endingTurnOnClose(
            Connection connection, FileLock turn, FileChannel channel, Semaphore local) {
        AtomicBoolean ended = new AtomicBoolean();
        return (Connection) Proxy.newProxyInstance(
                TurnTakingDataSource.class.getClassLoader(), new Class<?>[] {Connection.class}, (p, m, args) -> {
                    if (m.getName().equals("close")) {
                        if (ended.compareAndSet(false, true)) {
                            try {
                                connection.close();
                            } finally {
                                closeQuietly(turn);
                                closeQuietly(channel);
                                local.release();
                            }
                        }
                        return null;
                    }
                    if (m.getName().equals("isClosed") && ended.get()) {
                        return true;
                    }
                    try {
                        return m.invoke(connection, args);
                    } catch (InvocationTargetException e) {
                        throw e.getCause();
                    }
                });
    }

    private static void closeQuietly(AutoCloseable c) {
        if (c != null) {
            try {
                c.close();
            } catch (Exception e) {
                // Nothing more to do: the operating system ends the lock with the process at the latest.
            }
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

package dev.leasehold.lock.bench;

import java.io.PrintWriter;
import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.LongAdder;
import java.util.logging.Logger;
import javax.sql.DataSource;

/**
 * A DataSource over {@link DriverManager} that counts what reaches the server: statement executions, commits and
 * rollbacks, and the time spent in them as the client sees it (round trip included). A pool is put on top of it, so
 * that every variant is counted the same way, below its pool.
 *
 * <p>This class is thread-safe.
 */
final class CountingDataSource implements DataSource {

    private static final Set<String> EXECUTIONS = Set.of(
            "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch");
    private static final Set<String> ENDINGS = Set.of("commit", "rollback");

    private final String url;
    private final String user;
    private final String password;
    private final LongAdder executions = new LongAdder();
    private final LongAdder endings = new LongAdder();
    private final LongAdder nanos = new LongAdder();
    private volatile int loginTimeoutSeconds = 30;
    private volatile Timeline timeline;
    private volatile String name;

    CountingDataSource(String url, String user, String password) {
        this.url = url;
        this.user = user;
        this.password = password;
    }

    /** From now on, also records every execution, commit and rollback in {@code into}, as done by {@code name}. */
    void record(Timeline into, String name) {
        this.name = name;
        this.timeline = into;
    }

    /** What was counted so far. */
    Counts counts() {
        return new Counts(executions.sum(), endings.sum(), nanos.sum());
    }

    /** Statement executions, commits plus rollbacks, and nanoseconds spent in both. */
    record Counts(long executions, long endings, long nanos) {
        Counts minus(Counts before) {
            return new Counts(executions - before.executions, endings - before.endings, nanos - before.nanos);
        }

        /** Executions plus commits and rollbacks: the round trips, near enough (a commit in auto-commit is none). */
        long roundTrips() {
            return executions + endings;
        }
    }

    @Override
    public Connection getConnection() throws SQLException {
        return connection(DriverManager.getConnection(url, user, password));
    }

    @Override
    public Connection getConnection(String username, String pass) throws SQLException {
        return connection(DriverManager.getConnection(url, username, pass));
    }

    private Connection connection(Connection c) {
        return proxy(Connection.class, c, (target, method, args) -> {
            if (ENDINGS.contains(method.getName()) && (args == null || args.length == 0)) {
                endings.increment();
                return timed(target, method, args, method.getName());
            }
            Object result = invoke(target, method, args);
            // The statement a prepared statement runs is given when it is prepared, a plain one's when it runs.
            String prepared = args != null && args.length > 0 && args[0] instanceof String sql ? sql : null;
            if (result instanceof CallableStatement s) {
                return statement(CallableStatement.class, s, prepared);
            }
            if (result instanceof PreparedStatement s) {
                return statement(PreparedStatement.class, s, prepared);
            }
            if (result instanceof Statement s) {
                return statement(Statement.class, s, null);
            }
            return result;
        });
    }

    private <S extends Statement> S statement(Class<S> type, S s, String prepared) {
        return proxy(type, s, (target, method, args) -> {
            if (EXECUTIONS.contains(method.getName())) {
                executions.increment();
                String sql = prepared != null ? prepared : args != null && args[0] instanceof String q ? q : "batch";
                return timed(target, method, args, sql);
            }
            return invoke(target, method, args);
        });
    }

    private Object timed(Object target, Method method, Object[] args, String what) throws Throwable {
        long start = System.nanoTime();
        try {
            return invoke(target, method, args);
        } finally {
            long end = System.nanoTime();
            nanos.add(end - start);
            Timeline into = timeline;
            if (into != null) {
                into.add(name + " " + Thread.currentThread().getName(), Timeline.shorten(what, 110), start, end);
            }
        }
    }

    @FunctionalInterface
    private interface Handler {
        Object handle(Object target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Handler handler) {
        InvocationHandler h = (p, method, args) -> {
            // A driver interface asked of the proxy (pgjdbc's PGConnection for LISTEN) is the driver's own object.
            if (method.getName().equals("unwrap") && args != null && args[0] instanceof Class<?> c && c.isInstance(p)) {
                return p;
            }
            return handler.handle(target, method, args);
        };
        return type.cast(Proxy.newProxyInstance(CountingDataSource.class.getClassLoader(), new Class<?>[] {type}, h));
    }

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    @Override
    public PrintWriter getLogWriter() {
        return null;
    }

    @Override
    public void setLogWriter(PrintWriter out) {}

    @Override
    public void setLoginTimeout(int seconds) {
        loginTimeoutSeconds = seconds;
    }

    /** Not passed on to the driver; HikariCP sets it and reads it back as its wait when the pool closes. */
    @Override
    public int getLoginTimeout() {
        return loginTimeoutSeconds;
    }

    @Override
    public Logger getParentLogger() throws SQLFeatureNotSupportedException {
        throw new SQLFeatureNotSupportedException();
    }

    @Override
    public <T> T unwrap(Class<T> iface) throws SQLException {
        if (iface.isInstance(this)) {
            return iface.cast(this);
        }
        throw new SQLException("not a wrapper of " + iface.getName());
    }

    @Override
    public boolean isWrapperFor(Class<?> iface) {
        return iface.isInstance(this);
    }
}

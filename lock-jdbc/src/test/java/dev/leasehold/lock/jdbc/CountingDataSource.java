package dev.leasehold.lock.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.CallableStatement;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.Statement;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import javax.sql.DataSource;

/**
 * Wraps a DataSource and counts the calls that reach the database server: statement executions, commits, rollbacks,
 * savepoints and validity checks. Put a pool on top of it, so that the pool's own calls are counted too.
 */
final class CountingDataSource {

    private static final Set<String> EXECUTIONS = Set.of(
            "execute", "executeQuery", "executeUpdate", "executeLargeUpdate", "executeBatch", "executeLargeBatch");
    private static final Set<String> CONNECTION_CALLS =
            Set.of("commit", "rollback", "isValid", "setSavepoint", "releaseSavepoint");

    private final AtomicInteger roundTrips = new AtomicInteger();
    private final DataSource dataSource;

    CountingDataSource(DataSource physical) {
        this.dataSource = proxy(DataSource.class, physical, (target, method, args) -> {
            Object result = invoke(target, method, args);
            return result instanceof Connection c ? connection(c) : result;
        });
    }

    DataSource dataSource() {
        return dataSource;
    }

    int roundTrips() {
        return roundTrips.get();
    }

    void reset() {
        roundTrips.set(0);
    }

    private Connection connection(Connection c) {
        return proxy(Connection.class, c, (target, method, args) -> {
            if (CONNECTION_CALLS.contains(method.getName())) {
                roundTrips.incrementAndGet();
            }
            Object result = invoke(target, method, args);
            if (result instanceof CallableStatement s) {
                return statement(CallableStatement.class, s);
            }
            if (result instanceof PreparedStatement s) {
                return statement(PreparedStatement.class, s);
            }
            if (result instanceof Statement s) {
                return statement(Statement.class, s);
            }
            return result;
        });
    }

    private <S extends Statement> S statement(Class<S> type, S s) {
        return proxy(type, s, (target, method, args) -> {
            if (EXECUTIONS.contains(method.getName())) {
                roundTrips.incrementAndGet();
            }
            return invoke(target, method, args);
        });
    }

    @FunctionalInterface
    private interface Handler {
        Object handle(Object target, Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<T> type, T target, Handler handler) {
        InvocationHandler h = (p, method, args) -> {
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
}

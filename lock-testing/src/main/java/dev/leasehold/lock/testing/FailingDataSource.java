package dev.leasehold.lock.testing;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLTransientConnectionException;
import java.sql.SQLTransientException;
import java.sql.Statement;
import java.util.concurrent.atomic.AtomicBoolean;
import javax.sql.DataSource;

/**
 * A {@link DataSource} in front of a store's own pool that can make the store's database work fail from the inside, as
 * a failing network or database makes it fail: while {@link #failing(boolean) failing}, {@code getConnection} fails
 * with a connection failure (SQLState {@value #CONNECTION_FAILURE}) and every statement executed on a connection it
 * gave out fails with a serialization failure (SQLState {@value #STATEMENT_FAILURE}), transient errors that leave the
 * database session alive (so that a store whose locks live in its session keeps them). Closing, committing and rolling
 * back still work, so that the pool and the store can clean up.
 *
 * <p>This class is thread-safe.
 */
public final class FailingDataSource extends ForwardingDataSource {

    /** The SQLState of a failed {@code getConnection}. */
    public static final String CONNECTION_FAILURE = "08001";

    /** The SQLState of a failed statement. */
    public static final String STATEMENT_FAILURE = "40001";

    private volatile boolean failing;
    private final AtomicBoolean failNext = new AtomicBoolean();

    public FailingDataSource(DataSource delegate) {
        super(delegate);
    }

    /** Starts ({@code true}) or ends the failures. */
    public void failing(boolean failing) {
        this.failing = failing;
    }

    /**
     * Makes the next statement executed on a connection this DataSource gave out fail once, as {@link #failing(boolean)}
     * makes every statement fail, whatever thread runs it.
     */
    public void failNextStatement() {
        failNext.set(true);
    }

    /** Whether a failure asked for by {@link #failNextStatement()} has not happened yet. */
    public boolean nextStatementFailurePending() {
        return failNext.get();
    }

    @Override
    Connection handOut(Opener open) throws SQLException {
        if (failing) {
            throw new SQLTransientConnectionException("injected by the test: cannot connect", CONNECTION_FAILURE);
        }
        return wrap(open.open());
    }

    private Connection wrap(Connection connection) {
        return proxy(Connection.class, connection, (self, method, args) -> {
            Object result = invoke(method, connection, args);
            if (result instanceof Statement statement) {
                Class<?> type = method.getReturnType();
                return proxy(type, result, (m, a) -> {
                    if (m.getName().startsWith("execute") && (failing || failNext.compareAndSet(true, false))) {
                        throw new SQLTransientException("injected by the test: statement failed", STATEMENT_FAILURE);
                    }
                    // The statement's connection is the one the caller holds, not the pool's behind it.
                    return m.getName().equals("getConnection") ? self : invoke(m, statement, a);
                });
            }
            return result;
        });
    }

    private interface Call {
        Object call(Object self, Method method, Object[] args) throws Throwable;
    }

    private interface PlainCall {
        Object call(Method method, Object[] args) throws Throwable;
    }

    private static <T> T proxy(Class<?> type, Object target, PlainCall call) {
        return proxy(type, target, (self, method, args) -> call.call(method, args));
    }

    /**
     * A proxy of {@code type} in front of {@code target}: equal only to itself (the target would compare itself with
     * the proxy and say no), every other method as {@code call} says.
     */
    @SuppressWarnings("unchecked")
    private static <T> T proxy(Class<?> type, Object target, Call call) {
        InvocationHandler handler = (self, method, args) -> switch (method.getName()) {
            case "equals" -> self == args[0];
            case "hashCode" -> System.identityHashCode(self);
            default -> call.call(self, method, args);
        };
        return (T) Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, handler);
    }

    private static Object invoke(Method method, Object target, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}

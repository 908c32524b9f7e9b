package dev.leasehold.lock.advisory;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;
import javax.sql.DataSource;

/** Test doubles for JDBC, built as dynamic proxies over real connections. */
final class Doubles {

    private Doubles() {}

    private static Object invoke(Object target, Method method, Object[] args) throws Throwable {
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }

    /**
     * A connection that behaves like one behind PgBouncer in transaction mode: each statement (each transaction, in
     * auto-commit mode) runs on the next of several real server connections.
     */
    static Connection transactionPooled(List<Connection> servers) {
        AtomicInteger next = new AtomicInteger();
        InvocationHandler handler = new InvocationHandler() {
            @Override
            public Object invoke(Object proxy, Method method, Object[] args) throws Throwable {
                switch (method.getName()) {
                    case "prepareStatement", "createStatement", "prepareCall" -> {
                        Connection server = servers.get(Math.floorMod(next.getAndIncrement(), servers.size()));
                        return Doubles.invoke(server, method, args);
                    }
                    case "close", "setAutoCommit", "setNetworkTimeout" -> {
                        for (Connection server : servers) {
                            Doubles.invoke(server, method, args);
                        }
                        return null;
                    }
                    case "unwrap" -> {
                        return ((Class<?>) args[0]).isInstance(proxy)
                                ? proxy
                                : Doubles.invoke(servers.get(0), method, args);
                    }
                    case "equals" -> {
                        return proxy == args[0];
                    }
                    case "hashCode" -> {
                        return System.identityHashCode(proxy);
                    }
                    case "toString" -> {
                        return "TransactionPooledConnection" + servers;
                    }
                    default -> {
                        return Doubles.invoke(servers.get(0), method, args);
                    }
                }
            }
        };
        return (Connection)
                Proxy.newProxyInstance(Doubles.class.getClassLoader(), new Class<?>[] {Connection.class}, handler);
    }

    /** A DataSource whose every connection is {@link #transactionPooled} over two connections of {@code real}. */
    static DataSource transactionPooled(DataSource real) {
        return dataSource(real, () -> transactionPooled(List.of(real.getConnection(), real.getConnection())));
    }

    /**
     * A DataSource over {@code real} whose statements matching {@code failing} throw {@code failure} when executed,
     * counting how often.
     */
    static DataSource failingStatements(
            DataSource real, Predicate<String> failing, SQLException failure, AtomicInteger failures) {
        return dataSource(real, () -> {
            Connection c = real.getConnection();
            return (Connection) Proxy.newProxyInstance(
                    Doubles.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        Object result = Doubles.invoke(c, method, args);
                        if (method.getName().equals("prepareStatement") && failing.test((String) args[0])) {
                            PreparedStatement ps = (PreparedStatement) result;
                            return Proxy.newProxyInstance(
                                    Doubles.class.getClassLoader(),
                                    new Class<?>[] {PreparedStatement.class},
                                    (p, m, a) -> {
                                        if (m.getName().startsWith("execute")) {
                                            failures.incrementAndGet();
                                            throw failure;
                                        }
                                        return Doubles.invoke(ps, m, a);
                                    });
                        }
                        return result;
                    });
        });
    }

    @FunctionalInterface
    interface ConnectionSupplier {
        Connection get() throws SQLException;
    }

    private static DataSource dataSource(DataSource real, ConnectionSupplier connections) {
        return (DataSource) Proxy.newProxyInstance(
                Doubles.class.getClassLoader(), new Class<?>[] {DataSource.class}, (proxy, method, args) -> {
                    if (method.getName().equals("getConnection")) {
                        return connections.get();
                    }
                    if (method.getName().equals("toString")) {
                        return "double over " + real;
                    }
                    return Doubles.invoke(real, method, args);
                });
    }
}

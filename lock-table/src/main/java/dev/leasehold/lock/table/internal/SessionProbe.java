package dev.leasehold.lock.table.internal;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;
import java.util.Optional;

/**
 * Finds out whether a PostgreSQL connection is one database session that lasts across its transactions, as {@code
 * LISTEN} and session-level advisory locks need. Behind a pooler in transaction mode (PgBouncer with {@code
 * pool_mode=transaction}) it is not: each transaction may run on another server connection, and between two of this
 * connection's transactions its server connection serves other clients.
 *
 * <p>The probe, on a connection in auto-commit mode, so that each statement is a transaction of its own:
 *
 * <ol>
 *   <li>Two statements read the backend's identity (its pid and start time). A change means another server
 *       connection.
 *   <li>If the backend pid the driver was given at login (pgjdbc's {@code getBackendPID()}) is that pid, the client
 *       talks to PostgreSQL itself: a session, and the probe ends here. A pooler gives its clients a key of its own, so
 *       a different pid, or a driver that does not say, means a pooler stands in between, whose mode the last step
 *       tells.
 *   <li>Another connection of the same source opens a transaction and reads its identity, and while that transaction
 *       is open this connection reads its own again. A pooler in transaction mode hands the other connection this
 *       connection's idle server connection (PgBouncer reuses the most recently freed one first), or, when the other
 *       transaction holds it, moves this connection to another one; a real session shows neither.
 * </ol>
 *
 * <p>The probe takes no lock and changes nothing. On a direct connection it costs two statements and no other
 * connection. It relies on what a transaction-mode pooler does with an idle server connection, which is what PgBouncer
 * does; a pooler that hands each client the same server connection while nobody else needs it, and moves it only
 * under load, is caught under load only.
 *
 * <p>This class is thread-safe.
 */
public final class SessionProbe {

    private static final String IDENTITY = "SELECT pg_backend_pid(),"
            + " CAST((SELECT backend_start FROM pg_stat_activity WHERE pid = pg_backend_pid()) AS text)";

    private SessionProbe() {}

    /** Lends the probe another connection of the same source for the length of {@code work}, then takes it back. */
    @FunctionalInterface
    public interface OtherConnection {
        /** Runs {@code work} on another connection of the same source and gives that connection back. */
        void use(ConnectionWork work) throws SQLException;
    }

    /** Work on a lent connection. */
    @FunctionalInterface
    public interface ConnectionWork {
        /** Runs on {@code connection}; leaves it in the mode it was given in. */
        void run(Connection connection) throws SQLException;
    }

    /**
     * What the probe found.
     *
     * @param pid the backend pid of the connection's first statement
     * @param problem why the connection is not one session, in words that fit into a sentence; empty if it is
     */
    public record Result(int pid, Optional<String> problem) {

        public Result {
            Objects.requireNonNull(problem, "problem");
        }

        /** Whether the connection is one session. */
        public boolean isSession() {
            return problem.isEmpty();
        }
    }

    /** A backend: its pid and start time (pids are reused; the pair is not). */
    private record Backend(int pid, String started) {}

    /**
     * Probes {@code connection}, putting it in auto-commit mode first.
     *
     * @param other lends another connection of the same source, used only when something stands between the client
     *     and PostgreSQL
     * @throws SQLException if the database fails
     */
    public static Result check(Connection connection, OtherConnection other) throws SQLException {
        if (!connection.getAutoCommit()) {
            connection.setAutoCommit(true);
        }
        Backend first = identity(connection);
        Backend second = identity(connection);
        if (!second.equals(first)) {
            return notASession(
                    first,
                    "the connection's session changed between two statements (backend pid " + first.pid + ", then "
                            + second.pid + ")");
        }
        if (driverBackendPid(connection) == first.pid) {
            return new Result(first.pid, Optional.empty());
        }
        Backend[] seen = new Backend[2];
        other.use(o -> {
            boolean autoCommit = o.getAutoCommit();
            o.setAutoCommit(false);
            try {
                seen[0] = identity(o);
                seen[1] = identity(connection);
            } finally {
                o.rollback();
                o.setAutoCommit(autoCommit);
            }
        });
        if (seen[0].equals(first)) {
            return notASession(
                    first,
                    "another connection of the same source ran on this connection's backend (pid " + first.pid
                            + ") between two of its statements");
        }
        if (!seen[1].equals(first)) {
            return notASession(
                    first,
                    "the connection's session changed while another connection of the same source held a"
                            + " transaction open (backend pid " + first.pid + ", then " + seen[1].pid + ")");
        }
        return new Result(first.pid, Optional.empty());
    }

    private static Result notASession(Backend first, String why) {
        return new Result(first.pid, Optional.of(why));
    }

    private static Backend identity(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery(IDENTITY)) {
            rs.next();
            return new Backend(rs.getInt(1), rs.getString(2));
        }
    }

    /**
     * The backend pid pgjdbc was given at login ({@code PGConnection.getBackendPID()}, found by name so that the driver
     * is no dependency), or -1 when the driver is another one.
     */
    private static int driverBackendPid(Connection c) {
        try {
            Class<?> pgConnection = Class.forName(
                    "org.postgresql.PGConnection", false, c.getClass().getClassLoader());
            if (!c.isWrapperFor(pgConnection)) {
                return -1;
            }
            Object pg = c.unwrap(pgConnection);
            return (Integer) pgConnection.getMethod("getBackendPID").invoke(pg);
        } catch (SQLException | ReflectiveOperationException | RuntimeException | LinkageError e) {
            // Not pgjdbc (or not loadable from here): some other driver made this connection.
            return -1;
        }
    }
}

package dev.leasehold.lock.spi;

import dev.leasehold.lock.LockException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * Classifies database failures by the first {@link SQLException} in their cause chain: its SQLState, and for MariaDB
 * and MySQL, which report many conditions under the generic SQLState {@code HY000}, its vendor error code. This is the
 * one place that says which failures the engine retries, which mean "the row lock was not available", which are a
 * duplicate key and which end a database session; the engine, every backend and the documentation refer here. It is
 * part of the SPI because it is the contract between a {@link LeaseStore} and the engine: a store wraps a database
 * error with its {@link SQLException} as the cause, and the engine judges it by these rules.
 *
 * <p>Transient failures are retried: they are what a restart, failover, promotion or a busy row produces.
 *
 * <ul>
 *   <li>SQLState class {@code 08}: the connection failed or could not be made (every database).
 *   <li>{@code 40001} serialization failure or deadlock (MariaDB, MySQL, H2), {@code 40P01} deadlock (PostgreSQL).
 *   <li>{@code 55P03} lock not available (PostgreSQL {@code lock_timeout} or {@code NOWAIT}); {@code HYT00} H2's lock
 *       timeout; MariaDB/MySQL errors 1205 (lock wait timeout), 3572 ({@code NOWAIT}) and 1969 (statement time
 *       limit, which bounds a lease statement's lock wait on MariaDB).
 *   <li>{@code 57P01} administrator shutdown, {@code 57P02} crash shutdown, {@code 57P03} the server is starting up
 *       or shutting down (PostgreSQL).
 *   <li>{@code 25006} read-only transaction: a demoted primary or a standby reached through a stale address after a
 *       failover (PostgreSQL; MySQL error 1792); MariaDB/MySQL errors 1290 and 1836 ({@code read_only} mode).
 *   <li>MariaDB/MySQL errors 1927 (connection killed), 2006 (server gone away), 2013 (connection lost during a query),
 *       and {@code 70100} (query interrupted, as a server shutting down reports it); H2's broken or closed connections
 *       ({@code 90067}, {@code 90098}, {@code 90121}), which it reports without a class-08 SQLState.
 * </ul>
 *
 * <p>This class is thread-safe.
 */
public final class SqlFailures {

    /** SQLStates retried besides class 08 (connection exceptions). */
    private static final Set<String> TRANSIENT = Set.of(
            "40001", // serialization_failure; deadlock on MariaDB, MySQL and H2
            "40P01", // deadlock_detected
            "55P03", // lock_not_available
            "57P01", // admin_shutdown
            "57P02", // crash_shutdown
            "57P03", // cannot_connect_now: starting up, shutting down, in recovery
            "25006", // read_only_sql_transaction: a demoted primary or a standby
            "HYT00", // H2: timeout trying to lock a row
            "90067", // H2: the connection is broken
            "90098", // H2: the database has been closed
            "90121", // H2: the database is called at shutdown (its session was ended)
            "70100"); // MariaDB: query interrupted (KILL QUERY, max_statement_time, shutdown)

    /** MariaDB/MySQL error codes retried whatever their SQLState (most are HY000). */
    private static final Set<Integer> TRANSIENT_MYSQL_CODES = Set.of(
            1205, // ER_LOCK_WAIT_TIMEOUT
            1213, // ER_LOCK_DEADLOCK
            1290, // ER_OPTION_PREVENTS_STATEMENT (--read-only)
            1792, // ER_CANT_EXECUTE_IN_READ_ONLY_TRANSACTION
            1836, // ER_READ_ONLY_MODE
            1927, // ER_CONNECTION_KILLED
            1969, // ER_STATEMENT_TIMEOUT (max_statement_time)
            2006, // CR_SERVER_GONE_ERROR
            2013, // CR_SERVER_LOST
            3572); // ER_LOCK_NOWAIT

    /** MariaDB/MySQL error codes that mean "the row lock was not available in time". */
    private static final Set<Integer> LOCK_NOT_AVAILABLE_MYSQL_CODES = Set.of(1205, 1969, 3572);

    private static final int H2_LOCK_TIMEOUT = 50200;

    /** SQLStates that end the session besides classes 08 and 57P. */
    private static final Set<String> SESSION_ENDING = Set.of(
            "25P03", // idle_in_transaction_session_timeout
            "25P04"); // transaction_timeout

    private SqlFailures() {}

    /** The SQLState of the first {@link SQLException} in the cause chain of {@code failure}. */
    public static Optional<String> sqlState(Throwable failure) {
        return firstSqlException(failure).map(SQLException::getSQLState);
    }

    /** The first {@link SQLException} in the cause chain that carries a SQLState or a vendor error code. */
    public static Optional<SQLException> firstSqlException(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && (sql.getSQLState() != null || sql.getErrorCode() != 0)) {
                return Optional.of(sql);
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a failure is transient and worth retrying (see the class documentation for the list). A {@link
     * LockException} never is.
     */
    public static boolean isTransient(Throwable failure) {
        if (failure instanceof LockException || failure instanceof Error) {
            return false;
        }
        return firstSqlException(failure).map(SqlFailures::isTransientError).orElse(false);
    }

    private static boolean isTransientError(SQLException e) {
        String state = e.getSQLState();
        return (state != null && isTransientState(state)) || TRANSIENT_MYSQL_CODES.contains(e.getErrorCode());
    }

    /** Whether a SQLState is one of the transient ones. */
    public static boolean isTransientState(String state) {
        return state.startsWith("08") || TRANSIENT.contains(state);
    }

    /**
     * Whether a failure says that a row lock was not available within the statement's bounded lock wait: someone
     * else's transaction holds the lock's row. An acquire that meets it reports the lock as held; a renewal or release
     * retries it as transient.
     */
    public static boolean isLockNotAvailable(Throwable failure) {
        if (failure instanceof LockException || failure instanceof Error) {
            return false;
        }
        return firstSqlException(failure)
                .map(SqlFailures::isLockNotAvailableError)
                .orElse(false);
    }

    private static boolean isLockNotAvailableError(SQLException e) {
        String state = e.getSQLState();
        if ("55P03".equals(state)) {
            return true;
        }
        if ("HYT00".equals(state) && e.getErrorCode() == H2_LOCK_TIMEOUT) {
            return true;
        }
        return LOCK_NOT_AVAILABLE_MYSQL_CODES.contains(e.getErrorCode());
    }

    /** Whether a failure is a duplicate key (SQLState class 23, integrity constraint violation). */
    public static boolean isDuplicateKey(Throwable failure) {
        return sqlState(failure).map(s -> s.startsWith("23")).orElse(false);
    }

    /**
     * Whether a failure ends the database session it happened on, so that anything the session held (session-level
     * advisory locks) is gone with it: a connection failure (class 08), an administrator's or a crash shutdown, a
     * server starting up or shutting down (class 57P), or a session or transaction timeout (25P03, 25P04), anywhere in
     * the cause chain.
     */
    public static boolean endsSession(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                String state = sql.getSQLState();
                if (state.startsWith("08") || state.startsWith("57P") || SESSION_ENDING.contains(state)) {
                    return true;
                }
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** A short description of what is retried, for error messages. */
    public static String transientSummary() {
        return "connection failures (08xxx), deadlocks and serialization failures (40001, 40P01), row locks not"
                + " available in time (55P03, HYT00, MariaDB 1205/1969), server restarts (57P01-57P03) and read-only"
                + " servers after a failover (25006)";
    }
}

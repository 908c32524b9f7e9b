package dev.leasehold.lock.advisory;

import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.advisory.internal.AdvisoryKeys;
import dev.leasehold.lock.internal.Arguments;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.time.Duration;
import org.jdbi.v3.core.Handle;

/**
 * Transaction-scoped advisory locks ({@code pg_try_advisory_xact_lock}, {@code pg_advisory_xact_lock}) for code that
 * is already in a transaction: the lock is taken on the caller's own connection or Jdbi handle and released by
 * PostgreSQL when that transaction commits or rolls back; it cannot be released earlier. Get one from {@link
 * AdvisoryLockManager#transactionLocks()}.
 *
 * <p>The keys are those of the manager's locks, so a transaction lock on a name and a manager's lease on the same name
 * exclude each other. A transaction lock has no lease row, no fencing token and no heartbeat: it lasts exactly as long
 * as the transaction. PostgreSQL stacks a second lock of the same name in one transaction (it succeeds at once); both
 * end with the transaction.
 *
 * <p>A timeout of zero never waits (it is never passed to PostgreSQL, where {@code lock_timeout = 0} means "wait
 * forever"). A positive timeout waits under {@code SET LOCAL lock_timeout} inside a savepoint, so that a timeout leaves
 * the caller's transaction usable and its own {@code lock_timeout} as it was. The wait happens in the database: a
 * thread interrupt does not end it, the timeout does.
 *
 * <p>This class is thread-safe (a connection, like any JDBC connection, is used by one thread at a time).
 */
public final class AdvisoryXactLocks {

    private static final String TRY = "SELECT pg_try_advisory_xact_lock(CAST(? AS bigint))";

    // Takes the lock under a local lock_timeout and restores the caller's lock_timeout, in one statement.
    private static final String WAIT = "WITH o AS MATERIALIZED (SELECT current_setting('lock_timeout') AS old),"
            + " s AS MATERIALIZED (SELECT set_config('lock_timeout', ?, true) AS v FROM o),"
            + " l AS MATERIALIZED (SELECT pg_advisory_xact_lock(CAST(? AS bigint)) AS x FROM s)"
            + " SELECT set_config('lock_timeout', o.old, true) FROM o, l";

    private final AdvisoryKeys keys;

    AdvisoryXactLocks(AdvisoryKeys keys) {
        this.keys = keys;
    }

    /**
     * Takes the lock of {@code name} for the rest of the connection's transaction if it is free now; never waits.
     *
     * @return whether the lock was taken
     * @throws IllegalStateException if the connection is in auto-commit mode (the lock would end with the statement)
     * @throws LockBackendException if the database fails
     */
    public boolean tryLock(Connection connection, String name) {
        return tryLock(connection, name, Duration.ZERO);
    }

    /**
     * Takes the lock of {@code name} for the rest of the connection's transaction, waiting up to {@code timeout} for it
     * (zero: no wait).
     *
     * @return whether the lock was taken; false when {@code timeout} passed first (the transaction stays usable)
     * @throws IllegalArgumentException if the name or timeout is invalid (negative, or more than a day)
     * @throws IllegalStateException if the connection is in auto-commit mode
     * @throws LockBackendException if the database fails (for example SQLState 53200, the lock table is full); never
     *     retried
     */
    public boolean tryLock(Connection connection, String name, Duration timeout) {
        Arguments.notNull(connection, "connection");
        Arguments.lockName(name);
        Arguments.notNegative(timeout, "timeout");
        try {
            if (connection.getAutoCommit()) {
                throw new IllegalStateException("a transaction-scoped lock needs a transaction: the connection is in"
                        + " auto-commit mode, so lock '" + name + "' would end with its own statement; call"
                        + " connection.setAutoCommit(false) first");
            }
            long key = keys.key(name);
            return timeout.isZero() ? tryOnce(connection, key) : waitFor(connection, key, timeout);
        } catch (SQLException e) {
            throw new LockBackendException(
                    name,
                    e.getSQLState(),
                    "transaction lock '" + name + "' failed (SQLState " + e.getSQLState() + "): " + e.getMessage(),
                    e);
        }
    }

    /**
     * Takes the lock of {@code name} for the rest of the connection's transaction, waiting up to {@code timeout}.
     *
     * @throws LockAlreadyHeldException if {@code timeout} passed first (the transaction stays usable)
     */
    public void lock(Connection connection, String name, Duration timeout) {
        if (!tryLock(connection, name, timeout)) {
            throw new LockAlreadyHeldException(
                    name,
                    null,
                    false,
                    "transaction lock '" + name + "' is held elsewhere; gave up after " + timeout.toMillis() + " ms");
        }
    }

    /**
     * {@link #tryLock(Connection, String)} on a Jdbi handle, which must be in a transaction.
     *
     * @throws IllegalStateException if the handle is not in a transaction
     */
    public boolean tryLock(Handle handle, String name) {
        return tryLock(handle, name, Duration.ZERO);
    }

    /**
     * {@link #tryLock(Connection, String, Duration)} on a Jdbi handle, which must be in a transaction.
     *
     * @throws IllegalStateException if the handle is not in a transaction
     */
    public boolean tryLock(Handle handle, String name, Duration timeout) {
        Arguments.notNull(handle, "handle");
        if (!handle.isInTransaction()) {
            throw new IllegalStateException("a transaction-scoped lock needs a transaction: call handle.begin() (or"
                    + " use jdbi.inTransaction) before locking '" + name + "'");
        }
        return tryLock(handle.getConnection(), name, timeout);
    }

    /** {@link #lock(Connection, String, Duration)} on a Jdbi handle, which must be in a transaction. */
    public void lock(Handle handle, String name, Duration timeout) {
        Arguments.notNull(handle, "handle");
        if (!tryLock(handle, name, timeout)) {
            throw new LockAlreadyHeldException(
                    name,
                    null,
                    false,
                    "transaction lock '" + name + "' is held elsewhere; gave up after " + timeout.toMillis() + " ms");
        }
    }

    /** The advisory lock key of a name: the same as the manager's. */
    public long keyOf(String name) {
        return keys.key(Arguments.lockName(name));
    }

    private static boolean tryOnce(Connection connection, long key) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(TRY)) {
            ps.setLong(1, key);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private static boolean waitFor(Connection connection, long key, Duration timeout) throws SQLException {
        long millis = Math.max(1, (timeout.toNanos() + 999_999) / 1_000_000);
        Savepoint savepoint = connection.setSavepoint();
        try (PreparedStatement ps = connection.prepareStatement(WAIT)) {
            ps.setString(1, millis + "ms");
            ps.setLong(2, key);
            ps.executeQuery().close();
        } catch (SQLException e) {
            try {
                connection.rollback(savepoint);
            } catch (SQLException rollback) {
                e.addSuppressed(rollback);
                throw e;
            }
            if ("55P03".equals(e.getSQLState())) {
                return false;
            }
            throw e;
        }
        connection.releaseSavepoint(savepoint);
        return true;
    }
}

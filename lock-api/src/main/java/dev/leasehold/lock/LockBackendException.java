package dev.leasehold.lock;

import java.util.Optional;

/**
 * The database failed, and either the failure is not transient or the retries for transient failures ran out. The
 * cause is the original exception (usually an {@link java.sql.SQLException} or a wrapper of one); {@link #sqlState()}
 * gives its SQLState when there is one.
 */
public final class LockBackendException extends LockException {

    private static final long serialVersionUID = 1L;

    private final String sqlState;

    public LockBackendException(String lockName, String sqlState, String message, Throwable cause) {
        super(lockName, message, cause);
        this.sqlState = sqlState;
    }

    /** The SQLState of the database error, when the backend reported one. */
    public Optional<String> sqlState() {
        return Optional.ofNullable(sqlState);
    }
}

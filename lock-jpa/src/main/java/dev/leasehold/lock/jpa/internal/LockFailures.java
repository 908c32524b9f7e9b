package dev.leasehold.lock.jpa.internal;

import dev.leasehold.lock.spi.SqlFailures;
import java.sql.SQLException;

/**
 * Classifies the failures that reach the JPA backend, whatever wraps them: Jakarta Persistence's {@code
 * PessimisticLockException} and {@code LockTimeoutException}, Hibernate's {@code PessimisticLockException}, {@code
 * LockAcquisitionException} and {@code LockTimeoutException}, or a bare {@link SQLException}. The verdict comes from the
 * database's code found anywhere in the cause chain, not from the wrapper: Hibernate reports a deadlock as a {@code
 * PessimisticLockException} too, and a deadlock is worth a retry, not "held".
 *
 * <p>"Lock not available" is judged by the engine's rule ({@link SqlFailures#isLockNotAvailable}); when no
 * SQL error is in the chain, by a lock timeout exception of JPA or Hibernate.
 *
 * <p>This class is thread-safe.
 */
public final class LockFailures {

    /** The SQLState the backend reports a lock that is not available with, on every database: 55P03. */
    public static final String LOCK_NOT_AVAILABLE = "55P03";

    private static final String JPA_LOCK_TIMEOUT = "jakarta.persistence.LockTimeoutException";
    private static final String HIBERNATE_LOCK_TIMEOUT = "org.hibernate.exception.LockTimeoutException";

    private LockFailures() {}

    /** Whether {@code failure} says the row lock was not available (NOWAIT failed or the lock timeout passed). */
    public static boolean isLockNotAvailable(Throwable failure) {
        if (SqlFailures.isLockNotAvailable(failure)) {
            return true;
        }
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException) {
                return false; // the database said something else
            }
        }
        for (Throwable c = failure; c != null; c = c.getCause()) {
            String type = c.getClass().getName();
            if (type.equals(JPA_LOCK_TIMEOUT) || type.equals(HIBERNATE_LOCK_TIMEOUT)) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /**
     * A lock failure as the engine retries it: an {@link SQLException} with SQLState 55P03 whatever the database said,
     * with the original failure as its cause.
     */
    public static SQLException lockNotAvailable(String what, Throwable cause) {
        return new SQLException(what + ": the row lock was not available", LOCK_NOT_AVAILABLE, cause);
    }
}

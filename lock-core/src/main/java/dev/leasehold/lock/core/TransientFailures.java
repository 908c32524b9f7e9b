package dev.leasehold.lock.core;

import dev.leasehold.lock.core.internal.SqlStates;
import java.util.Optional;

/**
 * The engine's rule for which database failures are transient, for backends that retry on their own (for example
 * while setting up their table). The list, found anywhere in the cause chain: connection failures (SQLState class 08),
 * deadlocks and serialization failures, row locks not available within the bounded lock wait, server restarts and
 * shutdowns, and read-only servers after a failover, with the MariaDB/MySQL error codes that stand for them.
 *
 * <p>This class is thread-safe.
 */
public final class TransientFailures {

    private TransientFailures() {}

    /** Whether the failure is transient and worth retrying. */
    public static boolean isTransient(Throwable failure) {
        return SqlStates.isTransient(failure);
    }

    /**
     * Whether the failure says that a row lock was not available within the statement's bounded lock wait (PostgreSQL
     * 55P03, H2's lock timeout, MariaDB/MySQL 1205, 1969 and 3572). An acquire that meets it means "held".
     */
    public static boolean isLockNotAvailable(Throwable failure) {
        return SqlStates.isLockNotAvailable(failure);
    }

    /** The first SQLState in the failure's cause chain. */
    public static Optional<String> sqlState(Throwable failure) {
        return SqlStates.of(failure);
    }
}

package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.LockException;
import java.sql.SQLException;
import java.util.Optional;
import java.util.Set;

/**
 * Classifies store failures by SQLState, found anywhere in the cause chain.
 *
 * <p>This class is thread-safe.
 */
public final class SqlStates {

    /** SQLStates retried besides class 08 (connection exceptions). */
    private static final Set<String> TRANSIENT = Set.of(
            "40001", // serialization_failure
            "40P01", // deadlock_detected
            "55P03", // lock_not_available
            "57P01"); // admin_shutdown

    private SqlStates() {}

    /** The first SQLState in the cause chain of {@code failure}. */
    public static Optional<String> of(Throwable failure) {
        for (Throwable c = failure; c != null; c = c.getCause()) {
            if (c instanceof SQLException sql && sql.getSQLState() != null) {
                return Optional.of(sql.getSQLState());
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return Optional.empty();
    }

    /**
     * Whether a failure is transient and worth retrying: a connection failure (08xxx), serialization failure (40001),
     * deadlock (40P01), lock not available (55P03) or admin shutdown (57P01). A {@link LockException} never is.
     */
    public static boolean isTransient(Throwable failure) {
        if (failure instanceof LockException || failure instanceof Error) {
            return false;
        }
        return of(failure).map(SqlStates::isTransientState).orElse(false);
    }

    /** Whether a SQLState is one of the transient ones. */
    public static boolean isTransientState(String state) {
        return state.startsWith("08") || TRANSIENT.contains(state);
    }
}

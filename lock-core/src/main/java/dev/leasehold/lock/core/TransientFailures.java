package dev.leasehold.lock.core;

import dev.leasehold.lock.core.internal.SqlStates;
import java.util.Optional;

/**
 * The engine's rule for which database failures are transient, for backends that retry on their own (for example
 * while setting up their table): a connection failure (SQLState class 08), a serialization failure (40001), a deadlock
 * (40P01), a lock not available (55P03) or an administrator's shutdown of the session (57P01), found anywhere in the
 * cause chain.
 *
 * <p>This class is thread-safe.
 */
public final class TransientFailures {

    private TransientFailures() {}

    /** Whether the failure is transient and worth retrying. */
    public static boolean isTransient(Throwable failure) {
        return SqlStates.isTransient(failure);
    }

    /** The first SQLState in the failure's cause chain. */
    public static Optional<String> sqlState(Throwable failure) {
        return SqlStates.of(failure);
    }
}

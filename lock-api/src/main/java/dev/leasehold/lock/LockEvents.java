package dev.leasehold.lock;

import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Optional;

/**
 * The events a {@link LockListener} receives. Each carries the lock's name and the backend's name ({@code "jdbc"},
 * {@code "advisory"}, ...: the provider {@link Locks#builder()} chose, or, for a manager built directly on a store, the
 * store's simple class name).
 *
 * <p>This class and its records are immutable and thread-safe.
 */
public final class LockEvents {

    private LockEvents() {}

    /** A duration of zero or more, without the one-day limit of settings: a lease may be held for weeks. */
    private static void notNegative(Duration value, String argument) {
        Arguments.notNull(value, argument);
        if (value.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + value + "; it must not be negative");
        }
    }

    /** How a call to acquire ended. */
    public enum AcquireOutcome {
        /** The lease was granted. */
        ACQUIRED,
        /** Another owner held the lock (or another thread of this manager): {@code tryAcquire} was empty, or the wait ran out. */
        HELD,
        /** The database failed: the call threw {@link LockBackendException}. */
        ERROR
    }

    /** How a heartbeat renewal of one lease ended. */
    public enum RenewalOutcome {
        /** The store extended the lease. */
        RENEWED,
        /** A transient failure outlasted the renewal's retries; it is tried again until the local deadline. */
        FAILED_TRANSIENTLY,
        /** A failure that is not transient: the lease is lost. */
        FAILED,
        /** The store no longer has the lease: it is lost. */
        GONE
    }

    /** Why a lease was lost. */
    public enum LossReason {
        /** No renewal succeeded before the lease's local deadline (or one was confirmed only after it). */
        EXPIRED,
        /** The lease was gone before its deadline and another owner held the lock when that was noticed. */
        TAKEN_OVER,
        /** The lease was gone before its deadline and nobody held the lock: someone else released it (an administrator). */
        RELEASED_BY_ADMIN,
        /** The manager closed while work under the lease still ran; the lease is left to expire in the store. */
        MANAGER_CLOSED,
        /** The store reported every lease of its owner gone at once (for example its database session ended). */
        ALL_LOST,
        /** A renewal failed with an error that is not transient. */
        RENEWAL_FAILED
    }

    /**
     * A call to acquire ended.
     *
     * @param backend the backend's name
     * @param lockName the lock's name
     * @param outcome how it ended
     * @param waited from the call's start to its outcome, waiting and retries included
     * @param sqlState the database error's SQLState, for {@link AcquireOutcome#ERROR} when the database gave one
     */
    public record AcquireAttempt(
            String backend, String lockName, AcquireOutcome outcome, Duration waited, Optional<String> sqlState) {
        public AcquireAttempt {
            Arguments.notNull(backend, "backend");
            Arguments.notNull(lockName, "lockName");
            Arguments.notNull(outcome, "outcome");
            notNegative(waited, "waited");
            Arguments.notNull(sqlState, "sqlState");
        }
    }

    /**
     * A lease was granted.
     *
     * @param backend the backend's name
     * @param lockName the lock's name
     * @param token the lease's fencing token
     */
    public record LeaseAcquired(String backend, String lockName, long token) {
        public LeaseAcquired {
            Arguments.notNull(backend, "backend");
            Arguments.notNull(lockName, "lockName");
        }
    }

    /**
     * A lease was released.
     *
     * @param backend the backend's name
     * @param lockName the lock's name
     * @param token the lease's fencing token
     * @param heldFor from the grant to the release, by {@link System#nanoTime()}
     */
    public record LeaseReleased(String backend, String lockName, long token, Duration heldFor) {
        public LeaseReleased {
            Arguments.notNull(backend, "backend");
            Arguments.notNull(lockName, "lockName");
            notNegative(heldFor, "heldFor");
        }
    }

    /**
     * A heartbeat renewal of one lease ended.
     *
     * @param backend the backend's name
     * @param lockName the lock's name
     * @param outcome how it ended
     */
    public record Renewal(String backend, String lockName, RenewalOutcome outcome) {
        public Renewal {
            Arguments.notNull(backend, "backend");
            Arguments.notNull(lockName, "lockName");
            Arguments.notNull(outcome, "outcome");
        }
    }

    /**
     * A lease was lost.
     *
     * @param backend the backend's name
     * @param lockName the lock's name
     * @param token the lease's fencing token
     * @param reason why
     * @param heldFor from the grant to the loss being noticed, by {@link System#nanoTime()}
     */
    public record LeaseLost(String backend, String lockName, long token, LossReason reason, Duration heldFor) {
        public LeaseLost {
            Arguments.notNull(backend, "backend");
            Arguments.notNull(lockName, "lockName");
            Arguments.notNull(reason, "reason");
            notNegative(heldFor, "heldFor");
        }
    }
}

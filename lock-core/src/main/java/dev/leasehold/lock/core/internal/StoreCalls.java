package dev.leasehold.lock.core.internal;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockException;
import dev.leasehold.lock.spi.SqlFailures;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs store operations under the Failsafe policy for transient database failures, and turns what is left into
 * {@link LockBackendException}.
 *
 * <p>This class is thread-safe.
 */
final class StoreCalls {

    private static final Logger LOG = LoggerFactory.getLogger(StoreCalls.class);

    static final Duration FIRST_DELAY = Duration.ofMillis(10);
    static final Duration MAX_DELAY = Duration.ofSeconds(1);
    static final int DEFAULT_MAX_RETRIES = 5;

    /** A store operation; its SQLExceptions are classified by their SQLState. */
    @FunctionalInterface
    interface Op<T> {
        T call() throws SQLException;
    }

    private StoreCalls() {}

    /** The policy for user-facing calls: up to 5 retries with backoff from 10 ms to 1 s and 25 % jitter. */
    static <T> RetryPolicy<T> transientPolicy(String name, String action) {
        return StoreCalls.<T>builder(name, action)
                .withMaxRetries(DEFAULT_MAX_RETRIES)
                .build();
    }

    /**
     * The policy for user-facing calls with a deadline ({@code acquire(maxWait)}): as {@link #transientPolicy}, but
     * no retry starts after {@code within} has passed.
     */
    static <T> RetryPolicy<T> transientPolicyWithin(String name, String action, Duration within, int maxRetries) {
        RetryPolicyBuilder<T> b = StoreCalls.<T>builder(name, action);
        if (within.compareTo(FIRST_DELAY.multipliedBy(2)) <= 0) {
            return b.withMaxRetries(0).build();
        }
        return b.withMaxRetries(maxRetries).withMaxDuration(within).build();
    }

    /**
     * The policy for renewals: retries until {@code within} has passed (the leases' local deadline), without a count
     * limit.
     */
    static <T> RetryPolicy<T> transientPolicyWithin(String name, String action, Duration within) {
        return transientPolicyWithin(name, action, within, -1);
    }

    private static <T> RetryPolicyBuilder<T> builder(String name, String action) {
        return RetryPolicy.<T>builder()
                .handleIf(SqlFailures::isTransient)
                .withBackoff(FIRST_DELAY, MAX_DELAY, 2.0)
                .withJitter(0.25)
                .onRetry(e -> LOG.debug(
                        "retrying {} of lock '{}' after transient failure (attempt {}): {}",
                        action,
                        name,
                        e.getAttemptCount(),
                        String.valueOf(e.getLastException())));
    }

    /**
     * Runs {@code op} under the policy {@code policy} supplies; failures come out as {@link LockException}s.
     *
     * <p>The first attempt runs outside Failsafe, and the policy is built only when that attempt fails transiently:
     * nearly every call succeeds at once, and building a policy and an execution for it costs more caller CPU than the
     * engine's own work. The failure is then replayed as Failsafe's first attempt, so the retries, their count and
     * their delays are exactly those of the policy. A policy bound to a deadline must compute its time left when
     * supplied, as the first attempt has already used some of it.
     */
    static <T> T run(Supplier<RetryPolicy<T>> policy, String name, String action, Op<T> op) {
        Exception replayed;
        try {
            return op.call();
        } catch (SQLException | RuntimeException e) {
            if (!SqlFailures.isTransient(e)) {
                throw failure(name, action, e);
            }
            replayed = e;
        }
        try {
            return Failsafe.with(policy.get()).get(execution -> {
                if (execution.isFirstAttempt()) {
                    throw replayed;
                }
                return op.call();
            });
        } catch (FailsafeException e) {
            throw failure(name, action, e.getCause() != null ? e.getCause() : e);
        } catch (RuntimeException e) {
            throw failure(name, action, e);
        }
    }

    /** Runs {@code op} under the default transient policy; {@code name} is null for an operation on no one lock. */
    static <T> T run(String name, String action, Op<T> op) {
        return run(() -> transientPolicy(name, action), name, action, op);
    }

    /** The time left until {@code deadline} ({@link System#nanoTime()}), zero once it has passed. */
    static Duration leftUntil(long deadline) {
        return Duration.ofNanos(Math.max(0, deadline - System.nanoTime()));
    }

    /**
     * As {@link #run(String, String, Op)}, for an operation a store may not offer: its {@link
     * UnsupportedOperationException} comes out as it is, neither retried nor wrapped.
     */
    static <T> T runIfSupported(String name, String action, Op<T> op) {
        AtomicReference<UnsupportedOperationException> unsupported = new AtomicReference<>();
        T result = run(name, action, () -> {
            try {
                return op.call();
            } catch (UnsupportedOperationException e) {
                unsupported.set(e);
                return null;
            }
        });
        if (unsupported.get() != null) {
            throw unsupported.get();
        }
        return result;
    }

    /** The failure as the user sees it: a {@link LockException} as is, anything else as a backend failure. */
    static LockException failure(String name, String action, Throwable failure) {
        if (failure instanceof LockException le) {
            return le;
        }
        String state = SqlFailures.sqlState(failure).orElse(null);
        String why = state == null
                ? "not a database error with a SQLState, so it was not retried"
                : SqlFailures.isTransient(failure)
                        ? "a transient failure that persisted through the retries"
                        : "not retried: only " + SqlFailures.transientSummary() + " are";
        String message = "database failure during " + action + (name != null ? " of lock '" + name + "'" : "")
                + (state != null ? " (SQLState " + state + ")" : "") + ": " + failure + "; " + why;
        return new LockBackendException(name, state, message, failure);
    }
}

package dev.leasehold.lock.jpa;

import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * How an in-transaction lock waits for a row another transaction has locked: {@link #NOWAIT} (fail at once), {@link
 * #SKIP_LOCKED} (an empty result at once) or {@link #timeout(Duration)} (wait at most that long, then fail).
 *
 * <p>{@code timeout(Duration.ZERO)} is {@link #NOWAIT}: zero means "do not wait", never PostgreSQL's {@code
 * lock_timeout = 0} ("wait forever"). There is no "wait forever": waits are at most one day. MariaDB waits in whole
 * seconds, so a timeout there is rounded up to the next second.
 *
 * <p>This class is immutable and thread-safe.
 */
public final class Wait {

    /** What a wait does. */
    public enum Kind {
        /** Fail at once when the row is locked. */
        NOWAIT,
        /** Return nothing at once when the row is locked. */
        SKIP_LOCKED,
        /** Wait up to a timeout, then fail. */
        TIMEOUT
    }

    /** Fail at once with {@link dev.leasehold.lock.LockAlreadyHeldException} when the row is locked. */
    public static final Wait NOWAIT = new Wait(Kind.NOWAIT, Duration.ZERO);

    /** Return an empty result at once when the row is locked. */
    public static final Wait SKIP_LOCKED = new Wait(Kind.SKIP_LOCKED, Duration.ZERO);

    private final Kind kind;
    private final Duration timeout;

    private Wait(Kind kind, Duration timeout) {
        this.kind = kind;
        this.timeout = timeout;
    }

    /**
     * Wait at most {@code timeout} for the row, then fail with {@link dev.leasehold.lock.LockAlreadyHeldException}.
     * Zero is {@link #NOWAIT}.
     *
     * @throws IllegalArgumentException if {@code timeout} is null, negative or longer than one day
     */
    public static Wait timeout(Duration timeout) {
        Arguments.notNegative(timeout, "timeout");
        return timeout.isZero() ? NOWAIT : new Wait(Kind.TIMEOUT, timeout);
    }

    /** What this wait does. */
    public Kind kind() {
        return kind;
    }

    /** The longest wait, for {@link Kind#TIMEOUT}; empty otherwise. */
    public Optional<Duration> timeout() {
        return kind == Kind.TIMEOUT ? Optional.of(timeout) : Optional.empty();
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof Wait w && w.kind == kind && w.timeout.equals(timeout);
    }

    @Override
    public int hashCode() {
        return Objects.hash(kind, timeout);
    }

    @Override
    public String toString() {
        return kind == Kind.TIMEOUT ? "Wait.timeout(" + timeout + ")" : "Wait." + kind;
    }
}

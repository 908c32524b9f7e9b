package dev.leasehold.lock;

import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-lock options for {@link LockManager#lock(String, LockOptions)}. Every value is optional; what is left empty comes
 * from the manager's settings. A lock that sets its own lease time without a heartbeat interval gets a third of that
 * lease time.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param leaseTime how long each grant or renewal lasts by the database clock
 * @param heartbeatInterval how often the engine renews a held lease
 * @param retry how {@link DistributedLock#acquire()} waits
 */
public record LockOptions(
        Optional<Duration> leaseTime, Optional<Duration> heartbeatInterval, Optional<RetryOptions> retry) {

    private static final LockOptions DEFAULTS = builder().build();

    public LockOptions {
        Arguments.notNull(leaseTime, "leaseTime");
        Arguments.notNull(heartbeatInterval, "heartbeatInterval");
        Arguments.notNull(retry, "retry");
        leaseTime.ifPresent(t -> Arguments.leaseTime(t, "leaseTime"));
        heartbeatInterval.ifPresent(h -> Arguments.positive(h, "heartbeatInterval"));
        if (leaseTime.isPresent() && heartbeatInterval.isPresent()) {
            Arguments.heartbeatShorterThanLease(heartbeatInterval.get(), leaseTime.get());
        }
    }

    /** No overrides: everything from the manager. */
    public static LockOptions defaults() {
        return DEFAULTS;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Builds {@link LockOptions}; unset values come from the manager.
     *
     * <p>This class is not thread-safe.
     */
    public static final class Builder {
        private Duration leaseTime;
        private Duration heartbeatInterval;
        private RetryOptions retry;

        private Builder() {}

        /** The lease time of this lock. */
        public Builder leaseTime(Duration leaseTime) {
            this.leaseTime = Arguments.notNull(leaseTime, "leaseTime");
            return this;
        }

        /** The heartbeat interval of this lock; must be shorter than its lease time. */
        public Builder heartbeatInterval(Duration heartbeatInterval) {
            this.heartbeatInterval = Arguments.notNull(heartbeatInterval, "heartbeatInterval");
            return this;
        }

        /** How this lock's {@code acquire()} waits. */
        public Builder retry(RetryOptions retry) {
            this.retry = Arguments.notNull(retry, "retry");
            return this;
        }

        /** Checks the values and builds the options. */
        public LockOptions build() {
            return new LockOptions(
                    Optional.ofNullable(leaseTime), Optional.ofNullable(heartbeatInterval), Optional.ofNullable(retry));
        }
    }
}

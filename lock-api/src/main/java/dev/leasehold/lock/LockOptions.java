package dev.leasehold.lock;

import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Optional;

/**
 * Per-lock options for {@link LockManager#lock(String, LockOptions)}. Every value is optional; what is left empty comes
 * from the manager's settings. A lock that sets its own lease time without a heartbeat interval gets a third of that
 * lease time.
 *
 * <p><b>Fixed-term leases.</b> A lock built with {@link Builder#fixedTerm()} gets leases that the heartbeat never
 * renews: each ends {@code leaseTime} after its grant by the database clock, even while its holder lives, unless the
 * holder calls {@link Lease#extend(Duration)} (which keeps it fixed-term). Use it as a hard limit for work that must
 * never run longer than that. A fixed-term lease may last up to 366 days; a renewed one at most one day, because a
 * crashed holder of a renewed lease blocks its lock for a whole lease time, and nothing but a crash can make a renewed
 * lease last that long.
 *
 * <p><b>Minimum hold.</b> A lock with {@link Builder#minHold(Duration)} is released with that minimum hold by {@link
 * Lease#release()}, {@link Lease#close()}, {@link DistributedLock#withLock}, {@link DistributedLock#runLocked} and the
 * manager's {@code close()}: see {@link Lease#release(Duration)}.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param leaseTime how long each grant or renewal lasts by the database clock
 * @param heartbeatInterval how often the engine renews a held lease; empty for a fixed-term lease
 * @param retry how {@link DistributedLock#acquire()} waits
 * @param fixedTerm whether the heartbeat leaves the lease alone, so that it ends at its grant plus its lease time
 * @param minHold how long after its grant every release of the lease keeps the lock held at least (default: none)
 */
public record LockOptions(
        Optional<Duration> leaseTime,
        Optional<Duration> heartbeatInterval,
        Optional<RetryOptions> retry,
        boolean fixedTerm,
        Optional<Duration> minHold) {

    private static final LockOptions DEFAULTS = builder().build();

    public LockOptions {
        Arguments.notNull(leaseTime, "leaseTime");
        Arguments.notNull(heartbeatInterval, "heartbeatInterval");
        Arguments.notNull(retry, "retry");
        Arguments.notNull(minHold, "minHold");
        if (fixedTerm) {
            leaseTime.ifPresent(t -> Arguments.fixedTermLeaseTime(t, "leaseTime"));
            if (heartbeatInterval.isPresent()) {
                throw new IllegalArgumentException("heartbeatInterval is " + heartbeatInterval.get()
                        + ", but a fixed-term lease is never renewed: leave heartbeatInterval unset, or drop"
                        + " fixedTerm() to have the lease renewed");
            }
        } else {
            leaseTime.ifPresent(t -> Arguments.leaseTime(t, "leaseTime"));
        }
        heartbeatInterval.ifPresent(h -> Arguments.positive(h, "heartbeatInterval"));
        if (leaseTime.isPresent() && heartbeatInterval.isPresent()) {
            Arguments.heartbeatShorterThanLease(heartbeatInterval.get(), leaseTime.get());
        }
        minHold.ifPresent(h -> Arguments.minHold(h, "minHold"));
    }

    /** Options renewed by the heartbeat, without a minimum hold. */
    public LockOptions(
            Optional<Duration> leaseTime, Optional<Duration> heartbeatInterval, Optional<RetryOptions> retry) {
        this(leaseTime, heartbeatInterval, retry, false, Optional.empty());
    }

    /** No overrides: everything from the manager. */
    public static LockOptions defaults() {
        return DEFAULTS;
    }

    /** A builder with nothing set. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder holding these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.leaseTime = leaseTime.orElse(null);
        b.heartbeatInterval = heartbeatInterval.orElse(null);
        b.retry = retry.orElse(null);
        b.fixedTerm = fixedTerm;
        b.minHold = minHold.orElse(null);
        return b;
    }

    /**
     * Builds {@link LockOptions}; unset values come from the manager. By default a lease is renewed by the heartbeat
     * and released without a minimum hold.
     *
     * <p>This class is not thread-safe.
     */
    public static final class Builder {
        private Duration leaseTime;
        private Duration heartbeatInterval;
        private RetryOptions retry;
        private boolean fixedTerm;
        private Duration minHold;

        private Builder() {}

        /** The lease time of this lock: at most one day, or 366 days for a {@linkplain #fixedTerm() fixed term}. */
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

        /**
         * Makes this lock's leases fixed-term: never renewed by the heartbeat, so each ends its lease time after its
         * grant by the database clock even while the holder lives (and its {@code onLost} listeners run then).
         * {@link Lease#extend(Duration)} still works and keeps the lease fixed-term. Not with a heartbeat interval.
         */
        public Builder fixedTerm() {
            this.fixedTerm = true;
            return this;
        }

        /**
         * Every release of this lock's leases keeps the lock held until at least {@code minHold} after the grant, by
         * the database clock ({@link Lease#release(Duration)}); zero for none, at most 366 days.
         */
        public Builder minHold(Duration minHold) {
            this.minHold = Arguments.minHold(minHold, "minHold");
            return this;
        }

        /** Checks the values and builds the options. */
        public LockOptions build() {
            return new LockOptions(
                    Optional.ofNullable(leaseTime),
                    Optional.ofNullable(heartbeatInterval),
                    Optional.ofNullable(retry),
                    fixedTerm,
                    Optional.ofNullable(minHold));
        }
    }
}

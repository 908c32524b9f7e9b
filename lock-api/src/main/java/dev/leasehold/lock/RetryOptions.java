package dev.leasehold.lock;

import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Optional;

/**
 * How {@link DistributedLock#acquire()} waits for a lock that someone else holds: how many times it tries again, how
 * long it sleeps between tries, and the longest it waits in all. Contention is retried here; transient database
 * failures are retried separately by the engine, and one that outlasts those retries (a database restart or failover)
 * counts as one more retry here, so that a waiter with retries and time left resumes once the database is back.
 *
 * <p>{@link #defaults()} tries once and retries 3 times, 100 ms apart, with no backoff, no jitter and no overall limit.
 * When the backend can wake a waiter as soon as the lock is released, the engine waits for that signal for up to the
 * delay instead of sleeping it, so a release ends the wait at once; each wake-up still counts as one retry.
 *
 * <p>This class is immutable and thread-safe.
 *
 * @param maxRetries how many times to try again after the first attempt; {@code -1} means no limit
 * @param delay the sleep before the first retry
 * @param maxDelay the longest sleep between retries once backoff has grown it; equal to {@code delay} without backoff
 * @param backoffFactor the factor each sleep grows by, {@code 1.0} for a fixed delay
 * @param jitter a random fraction in {@code [0, 1)} by which each sleep varies, to spread contending waiters apart
 * @param maxWait the longest time to wait in all, if any; the last attempt happens at that time at the latest
 */
public record RetryOptions(
        int maxRetries,
        Duration delay,
        Duration maxDelay,
        double backoffFactor,
        double jitter,
        Optional<Duration> maxWait) {

    private static final RetryOptions DEFAULTS = builder().build();

    public RetryOptions {
        if (maxRetries < -1) {
            throw new IllegalArgumentException(
                    "maxRetries is " + maxRetries + "; pass 0 or more, or -1 for no limit (bounded by maxWait)");
        }
        Arguments.positive(delay, "delay");
        Arguments.positive(maxDelay, "maxDelay");
        if (maxDelay.compareTo(delay) < 0) {
            throw new IllegalArgumentException(
                    "maxDelay (" + maxDelay + ") must not be shorter than delay (" + delay + ")");
        }
        if (!(backoffFactor >= 1.0) || Double.isInfinite(backoffFactor)) {
            throw new IllegalArgumentException(
                    "backoffFactor is " + backoffFactor + "; pass 1.0 for a fixed delay or a finite factor above 1");
        }
        if (!(jitter >= 0.0 && jitter < 1.0)) {
            throw new IllegalArgumentException(
                    "jitter is " + jitter + "; pass a fraction from 0 (none) up to, but not including, 1");
        }
        Arguments.notNull(maxWait, "maxWait");
        maxWait.ifPresent(w -> Arguments.notNegative(w, "maxWait"));
    }

    /** 3 retries, 100 ms apart, no backoff, no jitter, no overall limit. */
    public static RetryOptions defaults() {
        return DEFAULTS;
    }

    /** {@code maxRetries} retries, {@code delay} apart (the seed's MaxRetries and RetryDelay). */
    public static RetryOptions of(int maxRetries, Duration delay) {
        return builder().maxRetries(maxRetries).delay(delay).build();
    }

    /** A single attempt: {@code acquire()} fails at once when the lock is held. */
    public static RetryOptions none() {
        return builder().maxRetries(0).build();
    }

    /** Retries without a count limit until {@code maxWait} has passed, {@code delay} apart. */
    public static RetryOptions waitUpTo(Duration maxWait, Duration delay) {
        return builder().maxRetries(-1).delay(delay).maxWait(maxWait).build();
    }

    /** A builder starting from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** A builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxRetries = maxRetries;
        b.delay = delay;
        b.maxDelay = maxDelay;
        b.backoffFactor = backoffFactor;
        b.jitter = jitter;
        b.maxWait = maxWait.orElse(null);
        return b;
    }

    /**
     * Builds {@link RetryOptions}. Defaults: 3 retries, 100 ms delay, no backoff, no jitter, no overall limit. Values
     * are checked by {@link #build()}.
     *
     * <p>This class is not thread-safe.
     */
    public static final class Builder {
        private int maxRetries = 3;
        private Duration delay = Duration.ofMillis(100);
        private Duration maxDelay;
        private double backoffFactor = 1.0;
        private double jitter = 0.0;
        private Duration maxWait;

        private Builder() {}

        /** Retries after the first attempt; {@code -1} for no limit. Default 3. */
        public Builder maxRetries(int maxRetries) {
            this.maxRetries = maxRetries;
            return this;
        }

        /** Sleep before the first retry. Default 100 ms. */
        public Builder delay(Duration delay) {
            this.delay = delay;
            return this;
        }

        /**
         * Exponential backoff: each sleep is the previous one times {@code factor}, up to {@code maxDelay}. Default:
         * none.
         */
        public Builder backoff(Duration maxDelay, double factor) {
            this.maxDelay = maxDelay;
            this.backoffFactor = factor;
            return this;
        }

        /** Random variation of each sleep, as a fraction in {@code [0, 1)}. Default 0. */
        public Builder jitter(double jitter) {
            this.jitter = jitter;
            return this;
        }

        /** The longest time to wait in all, zero for a single attempt. Default: no limit. */
        public Builder maxWait(Duration maxWait) {
            this.maxWait = Arguments.notNull(maxWait, "maxWait");
            return this;
        }

        /** Removes the overall limit. */
        public Builder noMaxWait() {
            this.maxWait = null;
            return this;
        }

        /** Checks the values and builds the options. */
        public RetryOptions build() {
            Duration effectiveMaxDelay = maxDelay != null ? maxDelay : delay;
            return new RetryOptions(
                    maxRetries, delay, effectiveMaxDelay, backoffFactor, jitter, Optional.ofNullable(maxWait));
        }
    }
}

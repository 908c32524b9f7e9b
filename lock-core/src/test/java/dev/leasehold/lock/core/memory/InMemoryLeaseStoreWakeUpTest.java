package dev.leasehold.lock.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.spi.AwaitOutcome;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** A release with a minimum hold that has already passed frees the lock at once, and wakes its waiters at once. */
class InMemoryLeaseStoreWakeUpTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    /** A store clock the test moves. */
    private static final class MovableClock extends Clock {
        volatile Instant now = Instant.parse("2030-01-01T00:00:00Z");

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }

    @Test
    void aReleaseWhoseHoldHasPassedWakesAWaiterAtOnce() throws Exception {
        MovableClock clock = new MovableClock();
        InMemoryLeaseStore store = new InMemoryLeaseStore(clock);
        long token = store.tryAcquire("a", "x", LONG).orElseThrow().token();
        CompletableFuture<AwaitOutcome> outcome = Waiters.waitingOn(store, "a", LONG);

        clock.now = clock.now.plusSeconds(10);
        assertThat(store.releaseAfter("a", "x", token, Duration.ofSeconds(5))).isTrue();

        assertThat(store.inspect("a")).isEmpty();
        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(AwaitOutcome.CHANGED);
    }
}

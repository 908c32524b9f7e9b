package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * SPEC R7.8: a store may wake a waiter without cause ({@link AwaitOutcome#CHANGED} while the lock is still held); such
 * a wake-up costs the waiter an attempt, never a retry of its budget.
 */
class SpuriousWakeUpTest {

    private static final String WAITER = "waiter";

    /** The reference store, whose first {@code awaitChange} calls return CHANGED at once, without cause. */
    static final class SpuriousStore extends ForwardingLeaseStore {
        final AtomicInteger spuriousLeft;
        final AtomicInteger waiterAttempts = new AtomicInteger();

        SpuriousStore(int spurious) {
            super(new InMemoryLeaseStore());
            this.spuriousLeft = new AtomicInteger(spurious);
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            if (owner.equals(WAITER)) {
                waiterAttempts.incrementAndGet();
            }
            return super.tryAcquire(name, owner, leaseTime);
        }

        @Override
        public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
            if (spuriousLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
                return AwaitOutcome.CHANGED;
            }
            return super.awaitChange(name, maxWait);
        }
    }

    private static LockSettings settings(String owner, RetryOptions retry) {
        return LockSettings.builder()
                .leaseTime(Duration.ofSeconds(5))
                .ownerId(owner)
                .retry(retry)
                .build();
    }

    @Test
    void spuriousWakeUpsDoNotUseUpTheRetries() {
        int spurious = 10;
        int retries = 2;
        Duration delay = Duration.ofMillis(200);
        SpuriousStore store = new SpuriousStore(spurious);
        try (LeaseLockManager holder = new LeaseLockManager(store, settings("holder", RetryOptions.none()));
                LeaseLockManager waiter =
                        new LeaseLockManager(store, settings(WAITER, RetryOptions.of(retries, delay)))) {
            Lease held = holder.lock("job").tryAcquire().orElseThrow();
            long start = System.nanoTime();
            assertThatThrownBy(() -> waiter.lock("job").acquire()).isInstanceOf(LockAlreadyHeldException.class);
            Duration waited = Duration.ofNanos(System.nanoTime() - start);

            assertThat(store.spuriousLeft).as("spurious wake-ups left unused").hasValue(0);
            assertThat(waited)
                    .as("the whole retry budget was waited")
                    .isGreaterThanOrEqualTo(delay.multipliedBy(retries));
            // The first attempt, one per spurious wake-up, and one at the end of each retry's delay.
            assertThat(store.waiterAttempts).hasValue(1 + spurious + retries);
            assertThat(held.isValid()).isTrue();
        }
    }
}

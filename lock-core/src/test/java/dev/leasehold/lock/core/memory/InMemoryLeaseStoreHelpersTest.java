package dev.leasehold.lock.core.memory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseGrant;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The reference store's helpers outside the SPI, which the TCK does not judge: {@link InMemoryLeaseStore#shared()}
 * for the memory backend and {@link InMemoryLeaseStore#clear()} for tests.
 */
class InMemoryLeaseStoreHelpersTest {

    private static final Duration LONG = Duration.ofMinutes(1);

    @Test
    void sharedIsOneStoreForTheWholeJvm() {
        assertThat(InMemoryLeaseStore.shared()).isNotNull().isSameAs(InMemoryLeaseStore.shared());
    }

    @Test
    void clearForgetsEveryLockTokensIncluded() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        assertThat(store.tryAcquire("a", "x", LONG)).map(LeaseGrant::token).hasValue(1L);
        assertThat(store.tryAcquire("a", "y", LONG)).isEmpty();

        store.clear();

        assertThat(store.inspect("a")).isEmpty();
        assertThat(store.tryAcquire("a", "y", LONG)).map(LeaseGrant::token).hasValue(1L);
    }

    @Test
    void clearWakesAWaiterAtOnce() throws Exception {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        store.tryAcquire("a", "x", LONG).orElseThrow();
        CompletableFuture<AwaitOutcome> outcome = Waiters.waitingOn(store, "a", LONG);

        store.clear();

        assertThat(outcome.get(10, TimeUnit.SECONDS)).isEqualTo(AwaitOutcome.CHANGED);
    }
}

package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** Closing a manager never frees a lock earlier than its release would have: each lease keeps its minimum hold. */
class CloseWithMinimumHoldTest {

    @Test
    void closingReleasesEachLeaseWithItsLocksMinimumHold() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        LeaseLockManager manager = new LeaseLockManager(
                store, LockSettings.builder().leaseTime(Duration.ofSeconds(30)).build());
        Lease held = manager.lock(
                        "held",
                        LockOptions.builder().minHold(Duration.ofMinutes(1)).build())
                .tryAcquire()
                .orElseThrow();
        manager.lock("plain").tryAcquire().orElseThrow();

        manager.close();

        assertThat(store.inspect("held"))
                .hasValueSatisfying(i ->
                        assertThat(i.expiresAt()).isEqualTo(held.acquiredAt().plus(Duration.ofMinutes(1))));
        assertThat(store.inspect("plain")).isEmpty();
    }
}

package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The parts of a lock and its options a user sees besides the locking itself: names and descriptions, a failing
 * callback whose release fails too, the heartbeat a per-lock lease time brings, and failures passed through as they
 * are.
 */
class EngineLockTest {

    private final InMemoryLeaseStore store = new InMemoryLeaseStore();

    private LockSettings settings() {
        return LockSettings.builder()
                .ownerId("owner-1")
                .leaseTime(Duration.ofMinutes(1))
                .heartbeatInterval(Duration.ofSeconds(5))
                .retry(RetryOptions.none())
                .build();
    }

    @Test
    void aLockAndItsManagerDescribeThemselves() throws Exception {
        try (LeaseLockManager manager = new LeaseLockManager(store, settings())) {
            DistributedLock lock = manager.lock("orders");

            assertThat(lock.name()).isEqualTo("orders");
            assertThat(lock.toString()).contains("orders", "owner-1");
            assertThat(manager.toString()).contains("owner-1", "InMemoryLeaseStore");
        }
    }

    @Test
    void aCallbackFailureKeepsTheFailedReleaseAsSuppressed() throws Exception {
        try (LeaseLockManager manager = new LeaseLockManager(store, settings())) {
            IllegalStateException thrown = new IllegalStateException("work failed");

            assertThatThrownBy(() -> manager.lock("taken").runLocked(lease -> {
                        // The lease ends behind the holder's back, so the release after the failure fails too.
                        store.release("taken", "owner-1", lease.token());
                        store.tryAcquire("taken", "other", Duration.ofMinutes(1));
                        throw thrown;
                    }))
                    .isSameAs(thrown);
            assertThat(thrown.getSuppressed()).singleElement().isInstanceOf(LockExpiredException.class);
        }
    }

    @Test
    void aLockWithItsOwnLeaseTimeGetsAThirdOfItAsHeartbeat() throws Exception {
        LockConfig own = LockConfig.of(
                settings(),
                LockOptions.builder().leaseTime(Duration.ofSeconds(3)).build());
        LockConfig inherited = LockConfig.of(settings(), LockOptions.defaults());

        assertThat(own.heartbeat()).isEqualTo(Duration.ofSeconds(1));
        assertThat(inherited.heartbeat()).isEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aLockExceptionPassesThroughAsItIs() throws Exception {
        LockException failure = new LockBackendException("a", null, "down", null);

        assertThat(StoreCalls.failure("a", "acquire", failure)).isSameAs(failure);
    }
}

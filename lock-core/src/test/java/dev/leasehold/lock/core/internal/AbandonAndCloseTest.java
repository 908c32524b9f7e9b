package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.testing.TestTimes;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What close() and the crash simulation abandon() do to the store and to waiting threads: the store is closed once,
 * an abandoned manager leaves it open, and a thread waiting for a lock is woken by either.
 */
class AbandonAndCloseTest {

    /** The reference store, counting close() calls. */
    static final class ClosingStore extends ForwardingLeaseStore {
        final AtomicInteger closes = new AtomicInteger();

        ClosingStore(InMemoryLeaseStore delegate) {
            super(delegate);
        }

        @Override
        public void close() {
            closes.incrementAndGet();
            super.close();
        }
    }

    private final TestTimes env = TestTimes.fromEnvironment();

    private LockSettings settings(String owner) {
        return LockSettings.builder()
                .ownerId(owner)
                .leaseTime(Duration.ofMinutes(5))
                .retry(RetryOptions.none())
                .build();
    }

    @Test
    void closingTwiceClosesTheStoreOnce() throws Exception {
        ClosingStore store = new ClosingStore(new InMemoryLeaseStore());
        LeaseLockManager manager = new LeaseLockManager(store, settings("twice"));

        manager.close();
        manager.close();

        assertThat(store.closes).hasValue(1);
    }

    @Test
    void anAbandonedManagerLeavesItsStoreOpenAndItsLeaseInIt() throws Exception {
        ClosingStore store = new ClosingStore(new InMemoryLeaseStore());
        LeaseLockManager manager = new LeaseLockManager(store, settings("crashed"));
        manager.lock("a").tryAcquire().orElseThrow();

        EngineAccess.abandon(manager);
        manager.close();

        assertThat(store.closes).hasValue(0);
        assertThat(store.inspect("a")).isPresent();
    }

    @Test
    void abandonWakesAThreadWaitingForALock() throws Exception {
        InMemoryLeaseStore shared = new InMemoryLeaseStore();
        try (LeaseLockManager holder = new LeaseLockManager(shared, settings("holder"))) {
            holder.lock("a").tryAcquire().orElseThrow();
            LeaseLockManager waiter = new LeaseLockManager(shared, settings("waiter"));
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    waiter.lock("a").acquire(Duration.ofMinutes(1));
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            thread.start();
            // Parked in the store's wait for the held lock: only the abandon can end it before a minute.
            org.awaitility.Awaitility.await()
                    .atMost(env.patience())
                    .until(() -> thread.getState() == Thread.State.TIMED_WAITING);

            EngineAccess.abandon(waiter);

            assertThat(outcome.get(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed while this thread waited");
        }
    }

    @Test
    void onlyTheEngineRegistersTheAccessToIt() throws Exception {
        new LeaseLockManager(new InMemoryLeaseStore(), settings("registered")).close();

        assertThatThrownBy(() -> EngineAccess.register(manager -> {
                    throw new AssertionError("never called");
                }))
                .isInstanceOf(IllegalStateException.class);
    }
}

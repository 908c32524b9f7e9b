package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * What close() and the crash simulation abandon() do to the store and to waiting threads: the store is closed once,
 * an abandoned manager leaves it open, a thread waiting for a lock is woken, and work that closes the manager itself
 * does not hold up another thread's close.
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
            // A retry delay of a minute: neither the end of the delay nor the store can end the wait in time.
            LeaseLockManager waiter = new LeaseLockManager(
                    shared,
                    settings("waiter").toBuilder()
                            .retry(RetryOptions.of(1, Duration.ofMinutes(1)))
                            .build());
            CompletableFuture<Throwable> outcome = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    waiter.lock("a").acquire();
                    outcome.complete(null);
                } catch (Throwable t) {
                    outcome.complete(t);
                }
            });
            thread.start();
            // Parked in the store's wait for the held lock: only the abandon can end it before a minute.
            await().atMost(env.patience()).until(() -> thread.getState() == Thread.State.TIMED_WAITING);

            EngineAccess.abandon(waiter);

            assertThat(outcome.get(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("closed while this thread waited");
        }
    }

    /** The reference store, telling when a thread of its manager waits in it for a lock to change. */
    static final class WaitedOnStore extends ForwardingLeaseStore {
        final CountDownLatch waiting = new CountDownLatch(1);

        WaitedOnStore(InMemoryLeaseStore delegate) {
            super(delegate);
        }

        @Override
        public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
            waiting.countDown();
            return super.awaitChange(name, maxWait);
        }
    }

    @Test
    void workClosingTheManagerDuringAnotherThreadsDrainEndsTheDrainAtOnce() throws Exception {
        WaitedOnStore store = new WaitedOnStore(new InMemoryLeaseStore());
        // A drain that only the work's own close() can end within the test's patience.
        LeaseLockManager manager = new LeaseLockManager(
                store,
                settings("drained").toBuilder()
                        .drainTimeout(Duration.ofMinutes(1))
                        .build());
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            CountDownLatch working = new CountDownLatch(1);
            // A thread waiting for the held lock is woken by close() as it begins: the sign that the drain is under
            // way.
            CountDownLatch closeBegun = new CountDownLatch(1);
            AtomicBoolean validAfterItsClose = new AtomicBoolean(true);
            Future<?> work = threads.submit(() -> {
                manager.lock("w").runLocked(lease -> {
                    working.countDown();
                    assertThat(closeBegun.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                            .isTrue();
                    manager.close();
                    // Returns once the first close is done, which has lost this work's lease by then.
                    validAfterItsClose.set(lease.isValid());
                });
                return null;
            });
            assertThat(working.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            threads.submit(() -> {
                try {
                    manager.lock("w").acquire(Duration.ofMinutes(1));
                } catch (IllegalStateException closed) {
                    closeBegun.countDown();
                }
                return null;
            });
            assertThat(store.waiting.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();

            Future<?> closing = threads.submit(manager::close);

            closing.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
            // The work's lease was lost, not released: it stays in the store until it expires.
            assertThatThrownBy(() -> work.get(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .hasCauseInstanceOf(LockExpiredException.class)
                    .hasMessageContaining("closed from the work under the lock");
            assertThat(validAfterItsClose).isFalse();
            assertThat(store.inspect("w")).isPresent();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void aSecondCloseInterruptedWhileTheFirstDrainsReturnsWhenThatIsDoneWithItsInterruptKept() throws Exception {
        WaitedOnStore store = new WaitedOnStore(new InMemoryLeaseStore());
        LeaseLockManager manager = new LeaseLockManager(
                store,
                settings("twice-closed").toBuilder()
                        .drainTimeout(Duration.ofMinutes(1))
                        .build());
        ExecutorService threads = Executors.newCachedThreadPool();
        try {
            CountDownLatch working = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            AtomicBoolean workEnded = new AtomicBoolean();
            threads.submit(() -> {
                manager.lock("w").runLocked(lease -> {
                    working.countDown();
                    assertThat(finish.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                            .isTrue();
                    workEnded.set(true);
                });
                return null;
            });
            assertThat(working.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            CountDownLatch closeBegun = new CountDownLatch(1);
            threads.submit(() -> {
                try {
                    manager.lock("w").acquire(Duration.ofMinutes(1));
                } catch (IllegalStateException closed) {
                    closeBegun.countDown();
                }
                return null;
            });
            assertThat(store.waiting.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            Future<?> first = threads.submit(manager::close);
            assertThat(closeBegun.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
            AtomicBoolean workEndedFirst = new AtomicBoolean();
            AtomicBoolean interruptKept = new AtomicBoolean();
            Thread second = new Thread(() -> {
                manager.close();
                workEndedFirst.set(workEnded.get());
                interruptKept.set(Thread.currentThread().isInterrupted());
            });
            second.start();
            // Waiting for the first close, which drains the work.
            await().atMost(env.patience()).until(() -> second.getState() == Thread.State.WAITING);

            second.interrupt();
            finish.countDown();

            first.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
            second.join(env.patience().toMillis());
            assertThat(second.isAlive()).isFalse();
            assertThat(workEndedFirst).as("the drained work had returned").isTrue();
            assertThat(interruptKept)
                    .as("the second closer's interrupt is kept")
                    .isTrue();
        } finally {
            threads.shutdownNow();
        }
    }

    @Test
    void workWhoseManagerClosedAsItsLockWasGrantedDoesNotRun() throws Exception {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        LeaseLockManager[] manager = new LeaseLockManager[1];
        // The listener runs on the acquiring thread after the grant and before the work: a close() at that moment.
        LockListener closeOnGrant = new LockListener() {
            @Override
            public void leaseAcquired(LockEvents.LeaseAcquired event) {
                manager[0].close();
            }
        };
        manager[0] = new LeaseLockManager(
                store,
                settings("closed-at-grant").toBuilder().listener(closeOnGrant).build());
        AtomicBoolean ran = new AtomicBoolean();

        assertThatThrownBy(() -> manager[0].lock("w").runLocked(lease -> ran.set(true)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThat(ran).as("the work ran").isFalse();
        assertThat(store.inspect("w")).as("close() released the lease").isEmpty();
    }

    @Test
    void aStoreClosedAfterWorkThatOutlivedTheDrainIsClosedOnADaemonThreadOnceTheWorkReturns() throws Exception {
        ClosingStore store = new ClosingStore(new InMemoryLeaseStore());
        LeaseLockManager manager = new LeaseLockManager(
                store,
                settings("outlived").toBuilder().drainTimeout(Duration.ZERO).build());
        ExecutorService threads = Executors.newSingleThreadExecutor();
        try {
            CountDownLatch working = new CountDownLatch(1);
            CountDownLatch finish = new CountDownLatch(1);
            threads.submit(() -> {
                manager.lock("w").runLocked(lease -> {
                    working.countDown();
                    assertThat(finish.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                            .isTrue();
                });
                return null;
            });
            assertThat(working.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();

            manager.close();

            // The work still runs: its store stays open, and the thread that will close it must not keep a JVM alive.
            assertThat(store.closes).hasValue(0);
            assertThat(Thread.getAllStackTraces().keySet())
                    .filteredOn(t -> t.getName().equals("leasehold-close-outlived"))
                    .hasSize(1)
                    .allMatch(Thread::isDaemon);
            finish.countDown();
            await().atMost(env.patience()).until(() -> store.closes.get() == 1);
        } finally {
            threads.shutdownNow();
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

package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.internal.EngineAccess;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine's graceful close (SPEC.md R9.4): close() rejects new work at once, wakes waiters, drains the work running
 * under withLock while the heartbeat renews it, then releases; a lease whose work outlives the drain is lost and left
 * in the store to expire by the database clock.
 */
class DrainOnCloseTest {

    private final TestTimes env = TestTimes.fromEnvironment();
    private final InMemoryLeaseStore data = new InMemoryLeaseStore();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private final List<LeaseLockManager> managers = new CopyOnWriteArrayList<>();
    /** Opened at the end of every test at the latest, so that no work outlives it. */
    private final CountDownLatch finish = new CountDownLatch(1);

    @AfterEach
    void stop() {
        finish.countDown();
        managers.forEach(LeaseLockManager::close);
        threads.shutdownNow();
    }

    /** A store over the shared data that records the releases and the close its manager makes. */
    static final class WatchedStore extends ForwardingLeaseStore {
        final List<String> released = Collections.synchronizedList(new ArrayList<>());
        final AtomicBoolean closed = new AtomicBoolean();
        private final boolean canWake;

        WatchedStore(InMemoryLeaseStore data, boolean canWake) {
            super(data);
            this.canWake = canWake;
        }

        @Override
        public boolean release(String name, String owner, long token) throws SQLException {
            released.add(name);
            return super.release(name, owner, token);
        }

        @Override
        public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
            return canWake ? super.awaitChange(name, maxWait) : AwaitOutcome.NOT_SUPPORTED;
        }

        @Override
        public void close() {
            closed.set(true);
            super.close();
        }
    }

    /** Work running under a lock on a thread of its own until its latch opens. */
    static final class Work {
        final CompletableFuture<Lease> started = new CompletableFuture<>();
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final List<LockExpiredException> losses = new CopyOnWriteArrayList<>();

        Lease lease(Duration within) throws Exception {
            return started.get(within.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private LeaseLockManager manager(Duration drainTimeout) {
        return manager(new WatchedStore(data, true), drainTimeout, RetryOptions.none());
    }

    private LeaseLockManager manager(WatchedStore store, Duration drainTimeout, RetryOptions retry) {
        LeaseLockManager manager = new LeaseLockManager(
                store,
                LockSettings.builder()
                        .leaseTime(env.leaseTime())
                        .heartbeatInterval(env.heartbeat())
                        .retry(retry)
                        .drainTimeout(drainTimeout)
                        .build());
        managers.add(manager);
        return manager;
    }

    private Work work(LeaseLockManager manager, String name, CountDownLatch until) {
        Work work = new Work();
        threads.execute(() -> {
            try {
                work.outcome.complete(manager.lock(name).withLock(lease -> {
                    lease.onLost(work.losses::add);
                    work.started.complete(lease);
                    until.await();
                    return "done";
                }));
            } catch (Throwable t) {
                work.started.completeExceptionally(t);
                work.outcome.completeExceptionally(t);
            }
        });
        return work;
    }

    private CompletableFuture<Void> closeInBackground(LeaseLockManager manager) {
        return CompletableFuture.runAsync(manager::close, threads);
    }

    /** Waits until close() has been called: lock() then throws. */
    private void awaitClosing(LeaseLockManager manager) {
        await().atMost(env.slack()).pollInterval(Duration.ofMillis(2)).until(() -> {
            try {
                manager.lock("probe");
                return false;
            } catch (IllegalStateException e) {
                return true;
            }
        });
    }

    /** Waits until the heartbeat has renewed the lease, so that time has passed with the drain going on. */
    private void awaitRenewal(Lease lease) {
        Instant before = lease.expiresAt();
        await().atMost(env.heartbeat().plus(env.slack()))
                .pollInterval(Duration.ofMillis(5))
                .until(() -> lease.expiresAt().isAfter(before));
    }

    private <T> T get(CompletableFuture<T> future) throws Exception {
        return future.get(env.slack().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static Duration since(long start) {
        return Duration.ofNanos(System.nanoTime() - start);
    }

    @Test
    void closeWaitsForRunningWorkWhileRenewingItThenReleasesEverything() throws Exception {
        LeaseLockManager manager = manager(env.patience());
        LeaseLockManager other = manager(env.patience());
        Work work = work(manager, "drained", finish);
        Lease lease = work.lease(env.slack());
        Lease plain = manager.lock("plain").tryAcquire().orElseThrow();

        CompletableFuture<Void> closing = closeInBackground(manager);
        awaitClosing(manager);
        awaitRenewal(lease);
        assertThat(closing).as("close() while the work runs").isNotDone();
        assertThat(lease.isValid()).isTrue();
        assertThat(other.lock("drained").tryAcquire())
                .as("the work keeps its lock")
                .isEmpty();
        assertThat(other.lock("plain").tryAcquire())
                .as("a lease held outside withLock is kept during the drain")
                .isEmpty();

        finish.countDown();
        get(closing);
        assertThat(get(work.outcome)).isEqualTo("done");
        assertThat(work.losses).isEmpty();
        assertThat(plain.isValid()).isFalse();
        assertThat(other.lock("drained").tryAcquire())
                .as("free once close() returned")
                .isPresent();
        assertThat(other.lock("plain").tryAcquire()).as("released by close()").isPresent();
    }

    @Test
    void newAcquisitionsAreRejectedFromTheMomentCloseIsCalled() throws Exception {
        LeaseLockManager manager = manager(env.patience());
        Work work = work(manager, "busy", finish);
        work.lease(env.slack());
        DistributedLock before = manager.lock("free");

        CompletableFuture<Void> closing = closeInBackground(manager);
        awaitClosing(manager);
        assertThatThrownBy(before::tryAcquire).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(before::acquire).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> before.acquire(Duration.ZERO)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> before.withLock(lease -> "never")).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> manager.inspect("free")).isInstanceOf(IllegalStateException.class);
        assertThat(data.inspect("free")).as("nothing was granted").isEmpty();
        assertThat(closing).as("still draining").isNotDone();

        finish.countDown();
        get(closing);
        assertThat(get(work.outcome)).isEqualTo("done");
    }

    @ParameterizedTest(name = "store wakes waiters: {0}")
    @ValueSource(booleans = {true, false})
    void aThreadWaitingInAcquireStopsWaitingAtOnce(boolean canWake) throws Exception {
        LeaseLockManager other = manager(env.patience());
        Lease held = other.lock("waited").tryAcquire().orElseThrow();
        // Between attempts the waiter waits a whole patience: only close() can end that wait early.
        RetryOptions patient =
                RetryOptions.builder().maxRetries(-1).delay(env.patience()).build();
        LeaseLockManager manager = manager(new WatchedStore(data, canWake), env.patience(), patient);
        Work work = work(manager, "busy", finish);
        work.lease(env.slack());
        AtomicReference<Thread> waiter = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean(true);
        CompletableFuture<Lease> waiting = CompletableFuture.supplyAsync(
                () -> {
                    waiter.set(Thread.currentThread());
                    try {
                        return manager.lock("waited").acquire();
                    } finally {
                        interruptedAfter.set(Thread.currentThread().isInterrupted());
                    }
                },
                threads);
        await().atMost(env.slack())
                .pollInterval(Duration.ofMillis(2))
                .until(() -> waiter.get() != null && waiter.get().getState() == Thread.State.TIMED_WAITING);

        long start = System.nanoTime();
        CompletableFuture<Void> closing = closeInBackground(manager);
        assertThatThrownBy(() -> get(waiting))
                .isInstanceOf(ExecutionException.class)
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("closed while this thread waited for lock 'waited'");
        assertThat(since(start)).isLessThan(env.slack());
        assertThat(interruptedAfter)
                .as("close's interrupt is not left on the waiter")
                .isFalse();
        assertThat(closing).as("the drain goes on").isNotDone();
        assertThat(data.inspect("waited")).map(LockInfo::token).contains(held.token());

        finish.countDown();
        get(closing);
    }

    @Test
    void workStillRunningAfterTheDrainTimeoutLosesItsLeaseWhichStaysInTheStore() throws Exception {
        Duration drain = env.scaled(Duration.ofMillis(200));
        WatchedStore store = new WatchedStore(data, true);
        LeaseLockManager manager = manager(store, drain, RetryOptions.none());
        LeaseLockManager other = manager(env.patience());
        Work work = work(manager, "overrun", finish);
        Lease lease = work.lease(env.slack());

        long start = System.nanoTime();
        manager.close();
        assertThat(since(start)).isBetween(drain, drain.plus(env.slack()));
        assertThat(work.losses).singleElement().satisfies(lost -> {
            assertThat(lost.lockName()).contains("overrun");
            assertThat(lost.token()).isEqualTo(lease.token());
            assertThat(lost.getMessage())
                    .contains("closed while work under the lock was still running after drainTimeout");
        });
        assertThat(lease.isValid()).isFalse();
        assertThat(data.inspect("overrun"))
                .as("the database still holds the lease")
                .hasValueSatisfying(info -> {
                    assertThat(info.ownerId()).isEqualTo(manager.ownerId());
                    assertThat(info.token()).isEqualTo(lease.token());
                });
        assertThat(other.lock("overrun").tryAcquire()).isEmpty();
        assertThat(store.closed).as("the store stays open while the work runs").isFalse();

        finish.countDown();
        assertThatThrownBy(() -> get(work.outcome)).cause().isInstanceOfSatisfying(LockExpiredException.class, e -> {
            assertThat(e.lockName()).contains("overrun");
            assertThat(e.token()).isEqualTo(lease.token());
        });
        await().atMost(env.slack()).untilTrue(store.closed);
        assertThat(work.losses).as("told once").hasSize(1);
        assertThat(store.released).as("releases the manager sent").doesNotContain("overrun");
        assertThat(data.inspect("overrun")).map(LockInfo::token).contains(lease.token());
        Lease next = other.lock("overrun").acquire(env.leaseTime().plus(env.slack()));
        assertThat(next.token()).as("granted after the expiry").isGreaterThan(lease.token());
    }

    @Test
    void aZeroDrainTimeoutDoesNotWait() throws Exception {
        LeaseLockManager manager = manager(Duration.ZERO);
        Work work = work(manager, "no-wait", finish);
        Lease lease = work.lease(env.slack());

        long start = System.nanoTime();
        manager.close();
        assertThat(since(start)).isLessThan(env.slack());
        assertThat(work.losses).hasSize(1);
        assertThat(data.inspect("no-wait")).map(LockInfo::token).contains(lease.token());

        finish.countDown();
        assertThatThrownBy(() -> get(work.outcome)).hasCauseInstanceOf(LockExpiredException.class);
    }

    @Test
    void theStoreIsClosedOneLeaseTimeAfterTheDrainWhenTheWorkNeverReturns() throws Exception {
        WatchedStore store = new WatchedStore(data, true);
        LeaseLockManager manager = manager(store, Duration.ZERO, RetryOptions.none());
        Work work = work(manager, "stuck", finish);
        work.lease(env.slack());

        long start = System.nanoTime();
        manager.close();
        assertThat(store.closed).isFalse();
        await().atMost(env.leaseTime().plus(env.slack())).untilTrue(store.closed);
        assertThat(since(start)).isGreaterThanOrEqualTo(env.leaseTime());
        assertThat(work.outcome).as("the work still runs").isNotDone();
    }

    @Test
    void closeFromInsideWorkWaitsForOtherWorkButNotForItself() throws Exception {
        LeaseLockManager manager = manager(env.patience());
        LeaseLockManager other = manager(env.patience());
        Work work = work(manager, "other-work", finish);
        Lease otherLease = work.lease(env.slack());
        List<LockExpiredException> losses = new CopyOnWriteArrayList<>();
        AtomicReference<Lease> selfLease = new AtomicReference<>();
        CompletableFuture<String> selfClosing = CompletableFuture.supplyAsync(
                () -> manager.lock("self").withLock(lease -> {
                    lease.onLost(losses::add);
                    selfLease.set(lease);
                    manager.close();
                    return "after close";
                }),
                threads);

        awaitClosing(manager);
        awaitRenewal(otherLease);
        assertThat(selfClosing).as("close() from work waits for the other work").isNotDone();

        finish.countDown();
        assertThatThrownBy(() -> get(selfClosing)).hasCauseInstanceOf(LockExpiredException.class);
        assertThat(losses)
                .singleElement()
                .satisfies(lost -> assertThat(lost.getMessage()).contains("closed from the work under the lock"));
        assertThat(get(work.outcome)).isEqualTo("done");
        assertThat(other.lock("other-work").tryAcquire())
                .as("the other work's lease was released")
                .isPresent();
        assertThat(data.inspect("self"))
                .as("the closing work's lease is left to expire")
                .map(LockInfo::token)
                .contains(selfLease.get().token());
    }

    @Test
    void concurrentClosesBothReturnWhenTheCloseIsDone() throws Exception {
        LeaseLockManager manager = manager(env.patience());
        LeaseLockManager other = manager(env.patience());
        Work work = work(manager, "busy", finish);
        Lease lease = work.lease(env.slack());

        CompletableFuture<Void> first = closeInBackground(manager);
        awaitClosing(manager);
        AtomicReference<Thread> secondThread = new AtomicReference<>();
        CompletableFuture<Void> second = CompletableFuture.runAsync(
                () -> {
                    secondThread.set(Thread.currentThread());
                    manager.close();
                },
                threads);
        await().atMost(env.slack())
                .pollInterval(Duration.ofMillis(2))
                .until(() -> secondThread.get() != null && secondThread.get().getState() == Thread.State.WAITING);
        awaitRenewal(lease);
        assertThat(first).isNotDone();
        assertThat(second).isNotDone();

        finish.countDown();
        get(first);
        get(second);
        assertThat(other.lock("busy").tryAcquire()).isPresent();
        long start = System.nanoTime();
        manager.close();
        assertThat(since(start)).as("closing again").isLessThan(env.slack());
    }

    @Test
    void interruptingTheClosingThreadEndsTheDrainAndKeepsTheFlag() throws Exception {
        LeaseLockManager manager = manager(env.patience());
        Work work = work(manager, "busy", finish);
        work.lease(env.slack());
        AtomicReference<Thread> closer = new AtomicReference<>();
        AtomicBoolean interruptedAfter = new AtomicBoolean();
        CompletableFuture<Void> closing = CompletableFuture.runAsync(
                () -> {
                    closer.set(Thread.currentThread());
                    manager.close();
                    interruptedAfter.set(Thread.interrupted());
                },
                threads);
        awaitClosing(manager);
        await().atMost(env.slack())
                .pollInterval(Duration.ofMillis(2))
                .until(() -> closer.get().getState() == Thread.State.TIMED_WAITING);

        closer.get().interrupt();
        get(closing);
        assertThat(interruptedAfter).isTrue();
        assertThat(work.losses).hasSize(1);
    }

    @Test
    void abandonKeepsItsMeaningWhileWorkRuns() throws Exception {
        LeaseLockManager manager = manager(env.patience());
        Work work = work(manager, "crashed", finish);
        Lease lease = work.lease(env.slack());

        long start = System.nanoTime();
        EngineAccess.abandon(manager);
        assertThat(since(start)).as("a crash does not drain").isLessThan(env.slack());
        assertThat(lease.isValid()).isFalse();
        assertThat(data.inspect("crashed")).map(LockInfo::token).contains(lease.token());
        finish.countDown();
        assertThatThrownBy(() -> get(work.outcome))
                .hasCauseInstanceOf(IllegalStateException.class)
                .hasMessageContaining("abandoned");
        assertThat(work.losses).as("a crashed manager tells nobody").isEmpty();
        manager.close();
    }
}

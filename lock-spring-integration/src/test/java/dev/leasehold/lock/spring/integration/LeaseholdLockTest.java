package dev.leasehold.lock.spring.integration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.Lock;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The {@link java.util.concurrent.locks.Lock} semantics of {@link LeaseholdLock} on H2: the owner thread, re-entry
 * with one lease, timed and interruptible waits, and how a lost lease is reported.
 */
class LeaseholdLockTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration PATIENCE = Duration.ofSeconds(15);

    private final TestDatabase db = TestDatabases.get(DatabaseKind.H2);
    private final List<LockManager> managers = new ArrayList<>();
    private final ExecutorService threads = Executors.newCachedThreadPool();
    private String prefix;
    private LeaseholdLockRegistry registry;
    private LeaseholdLockRegistry otherProcess;

    @BeforeEach
    void setUp() {
        prefix = db.uniquePrefix("si_lock");
        registry = new LeaseholdLockRegistry(manager("here"));
        otherProcess = new LeaseholdLockRegistry(manager("there"));
    }

    @AfterEach
    void tearDown() {
        threads.shutdownNow();
        managers.forEach(LockManager::close);
        db.dropTablesWithPrefix(prefix);
    }

    @Test
    void obtainReturnsOneLockPerKeyAndNeedsAStringKey() {
        assertThat(registry.obtain("orders")).isSameAs(registry.obtain("orders"));
        assertThatThrownBy(() -> registry.obtain(42))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("lockKey must be a String");
        assertThatThrownBy(() -> registry.obtain(" ")).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void reentryCountsHoldsOnOneLeaseReleasedByTheLastUnlock() {
        LeaseholdLock lock = registry.obtain("orders");
        lock.lock();
        long token = lock.lease().orElseThrow().token();
        assertThat(lock.tryLock()).isTrue();
        lock.lock();
        assertThat(lock.lease().orElseThrow().token()).isEqualTo(token);

        lock.unlock();
        lock.unlock();
        assertThat(registry.manager().inspect("orders")).isPresent();
        lock.unlock();

        assertThat(registry.manager().inspect("orders")).isEmpty();
        assertThat(lock.isLocked()).isFalse();
    }

    @Test
    void onlyTheOwnerThreadCanUnlock() throws Exception {
        LeaseholdLock lock = registry.obtain("orders");
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class);
        lock.lock();

        Future<?> stranger = threads.submit(lock::unlock);

        assertThat(catchCause(stranger))
                .isInstanceOf(IllegalMonitorStateException.class)
                .hasMessageContaining("lock 'orders' is not held by thread");
        assertThat(lock.isHeldByCurrentThread()).isTrue();
        lock.unlock();
    }

    @Test
    void anotherThreadOfThisProcessWaitsForTheHolder() throws Exception {
        LeaseholdLock lock = registry.obtain("orders");
        lock.lock();

        Future<Boolean> quick = threads.submit(() -> lock.tryLock());
        assertThat(quick.get(5, TimeUnit.SECONDS)).isFalse();
        Future<Boolean> patient = threads.submit(() -> lock.tryLock(200, TimeUnit.MILLISECONDS));
        assertThat(patient.get(5, TimeUnit.SECONDS)).isFalse();

        CountDownLatch locked = new CountDownLatch(1);
        Future<?> waiter = threads.submit(() -> {
            lock.lock();
            locked.countDown();
            lock.unlock();
        });
        assertThat(locked.await(300, TimeUnit.MILLISECONDS)).isFalse();
        lock.unlock();
        assertThat(locked.await(PATIENCE.toMillis(), TimeUnit.MILLISECONDS)).isTrue();
        waiter.get(5, TimeUnit.SECONDS);
    }

    @Test
    void tryLockWithTimeWaitsForAnotherOwnerInTheDatabase() throws Exception {
        LeaseholdLock theirs = otherProcess.obtain("orders");
        LeaseholdLock ours = registry.obtain("orders");
        theirs.lock();

        long started = System.nanoTime();
        assertThat(ours.tryLock(300, TimeUnit.MILLISECONDS)).isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(ours.tryLock()).isFalse();
        assertThat(ours.isLocked())
                .as("a failed attempt leaves nothing held here")
                .isFalse();

        Future<Boolean> waiting = threads.submit(() -> {
            boolean got = ours.tryLock(PATIENCE.toMillis(), TimeUnit.MILLISECONDS);
            if (got) {
                ours.unlock();
            }
            return got;
        });
        theirs.unlock();
        assertThat(waiting.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void interruptEndsInterruptibleWaitsWithNothingHeld() throws Exception {
        LeaseholdLock theirs = otherProcess.obtain("orders");
        LeaseholdLock ours = registry.obtain("orders");
        theirs.lock();

        for (Waiter waiter : List.<Waiter>of(Lock::lockInterruptibly, l -> l.tryLock(1, TimeUnit.HOURS))) {
            AtomicReference<Thread> thread = new AtomicReference<>();
            CountDownLatch started = new CountDownLatch(1);
            CompletableFuture<Throwable> outcome = CompletableFuture.supplyAsync(
                    () -> {
                        thread.set(Thread.currentThread());
                        started.countDown();
                        try {
                            waiter.waitFor(ours);
                            return null;
                        } catch (Throwable e) {
                            return e;
                        }
                    },
                    threads);
            assertThat(started.await(5, TimeUnit.SECONDS)).isTrue();
            await().atMost(PATIENCE).until(() -> thread.get().getState() != Thread.State.RUNNABLE);
            thread.get().interrupt();

            assertThat(outcome.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isInstanceOf(InterruptedException.class);
            assertThat(ours.isLocked()).isFalse();
        }
        theirs.unlock();
        assertThat(ours.tryLock()).isTrue();
        ours.unlock();
    }

    @Test
    void lockIsNotInterruptibleAndKeepsTheInterrupt() throws Exception {
        LeaseholdLock theirs = otherProcess.obtain("orders");
        LeaseholdLock ours = registry.obtain("orders");
        theirs.lock();
        AtomicReference<Thread> thread = new AtomicReference<>();
        Future<Boolean> waiter = threads.submit(() -> {
            thread.set(Thread.currentThread());
            ours.lock();
            boolean interrupted = Thread.currentThread().isInterrupted();
            ours.unlock();
            return interrupted;
        });
        await().atMost(PATIENCE)
                .until(() -> thread.get() != null && thread.get().getState() != Thread.State.RUNNABLE);
        thread.get().interrupt();
        await().atMost(PATIENCE).until(() -> thread.get().getState() != Thread.State.RUNNABLE);
        assertThat(waiter.isDone()).isFalse();

        theirs.unlock();

        assertThat(waiter.get(PATIENCE.toSeconds(), TimeUnit.SECONDS)).isTrue();
    }

    @Test
    void aLostLeaseMakesReentryAndEveryUnlockThrow() {
        LeaseholdLock lock = registry.obtain("orders");
        lock.lock();
        lock.lock();
        long token = lock.lease().orElseThrow().token();

        ((JdbcLockManager) otherProcess.manager()).forceRelease("orders");
        await().atMost(PATIENCE).until(lock::isLost);

        assertThatThrownBy(lock::tryLock)
                .isInstanceOf(LockExpiredException.class)
                .hasMessageContaining("lock 'orders' (token " + token + ") was lost");
        assertThatThrownBy(lock::unlock).isInstanceOf(LockExpiredException.class);
        assertThatThrownBy(lock::unlock).isInstanceOf(LockExpiredException.class);
        assertThat(lock.isLocked()).isFalse();

        // Given up, the key can be taken again, with a new lease and a larger token.
        lock.lock();
        assertThat(lock.lease().orElseThrow().token()).isGreaterThan(token);
        lock.unlock();
    }

    @Test
    void renewLockExtendsTheHoldersLease() {
        LeaseholdLock lock = registry.obtain("orders");
        assertThatThrownBy(() -> registry.renewLock("orders")).isInstanceOf(IllegalMonitorStateException.class);
        lock.lock();
        Lease lease = lock.lease().orElseThrow();

        registry.renewLock("orders", Duration.ofMinutes(5));
        assertThat(lease.validFor()).isGreaterThan(Duration.ofMinutes(4));
        registry.renewLock("orders");
        assertThat(lease.validFor()).isGreaterThan(Duration.ofMinutes(4));
        lock.unlock();
    }

    @Test
    void ttlSetsTheLeaseTimeOfThatHold() throws Exception {
        LeaseholdLock lock = registry.obtain("orders");
        assertThat(lock.tryLock(Duration.ZERO, Duration.ofMinutes(10))).isTrue();
        assertThat(lock.lease().orElseThrow().validFor()).isGreaterThan(Duration.ofMinutes(9));
        lock.unlock();
    }

    @Test
    void conditionsAreNotSupported() {
        assertThatThrownBy(() -> registry.obtain("orders").newCondition())
                .isInstanceOf(UnsupportedOperationException.class);
    }

    @Test
    void expiryForgetsOnlyUnusedLocks() {
        LeaseholdLock held = registry.obtain("held");
        LeaseholdLock idle = registry.obtain("idle");
        held.lock();

        registry.expireUnusedOlderThan(0);

        assertThat(registry.obtain("held")).isSameAs(held);
        assertThat(registry.obtain("idle")).isNotSameAs(idle);
        held.unlock();
    }

    @Test
    void aKeyTakenDirectlyThroughTheManagerIsMisuse() {
        try (Lease direct = registry.manager().lock("orders").acquire()) {
            assertThatThrownBy(() -> registry.obtain("orders").tryLock())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessageContaining("outside this LeaseholdLockRegistry");
            assertThat(direct.isValid()).isTrue();
        }
    }

    private LockManager manager(String owner) {
        LockManager manager = Locks.builder()
                .dataSource(db.dataSource())
                .tablePrefix(prefix)
                .leaseTime(LEASE)
                .ownerId(owner)
                .build();
        managers.add(manager);
        return manager;
    }

    private static Throwable catchCause(Future<?> future) throws InterruptedException {
        try {
            future.get(5, TimeUnit.SECONDS);
            return null;
        } catch (java.util.concurrent.ExecutionException e) {
            return e.getCause();
        } catch (java.util.concurrent.TimeoutException e) {
            throw new AssertionError("the task did not finish", e);
        }
    }

    @FunctionalInterface
    private interface Waiter {
        void waitFor(Lock lock) throws InterruptedException;
    }
}

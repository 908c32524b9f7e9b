package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.TestTimes;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rule 9.4 of SPEC.md: closing a manager while work runs under its locks. */
public interface ShutdownRules extends TckSuite {

    /**
     * R9.4: close() drains the work running under withLock, then releases; work that outlives the drain loses its
     * lease, which stays held in the store. When it fails: close() released a lease under running work or returned
     * before the work finished (the engine's drain); a thread waiting in {@code acquire} slept out its retry delay
     * (the store's {@code awaitChange} does not end on interrupt); the running work's lease expired during the drain
     * (its renewals stopped); or the lease of work that outlived the drain became free at once (the engine released
     * it, or the store's {@code close()} frees locks that its manager still owes to running work, as a store holding
     * locks in a database session would).
     */
    @Test
    default void required_r9_4_closeDrainsRunningWorkThenReleases() throws Exception {
        TestTimes env = tck().env();
        // A waiter waits a whole patience between attempts: only close() can end that wait within S.
        RetryOptions patient =
                RetryOptions.builder().maxRetries(-1).delay(env.patience()).build();
        LockManager draining = tck().manager(s -> s.drainTimeout(env.patience()).retry(patient));
        Duration shortDrain = env.scaled(Duration.ofMillis(100));
        LockManager overrunning = tck().manager(s -> s.drainTimeout(shortDrain));
        LockManager other = tck().manager();
        String finished = tck().name("drain-finished");
        String plain = tck().name("drain-plain");
        String waited = tck().name("drain-waited");
        String free = tck().name("drain-free");
        String outlived = tck().name("drain-outlived");
        ExecutorService threads = Executors.newCachedThreadPool();
        CountDownLatch finish = new CountDownLatch(1);
        CountDownLatch finishLate = new CountDownLatch(1);
        try {
            // Work that finishes during the drain, a lease held outside withLock, and a waiter.
            Work work = Work.start(threads, draining.lock(finished), finish);
            Lease lease = work.lease(env);
            Lease plainLease = draining.lock(plain).tryAcquire().orElseThrow();
            Lease held = other.lock(waited).tryAcquire().orElseThrow();
            DistributedLock freeLock = draining.lock(free);
            AtomicReference<Thread> waiter = new AtomicReference<>();
            CompletableFuture<Lease> waiting = CompletableFuture.supplyAsync(
                    () -> {
                        waiter.set(Thread.currentThread());
                        return draining.lock(waited).acquire();
                    },
                    threads);
            await().atMost(env.slack())
                    .pollInterval(Duration.ofMillis(2))
                    .until(() -> waiter.get() != null
                            && (waiter.get().getState() == Thread.State.TIMED_WAITING
                                    || waiter.get().getState() == Thread.State.WAITING));

            Instant expiryBeforeClose = lease.expiresAt();
            CompletableFuture<Void> closing = CompletableFuture.runAsync(draining::close, threads);
            await().atMost(env.slack()).pollInterval(Duration.ofMillis(2)).until(() -> closeCalled(draining, free));
            assertThatThrownBy(freeLock::tryAcquire)
                    .as("tryAcquire during the drain")
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(freeLock::acquire)
                    .as("acquire during the drain")
                    .isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> draining.inspect(free)).isInstanceOf(IllegalStateException.class);
            assertThatThrownBy(() -> waiting.get(env.slack().toMillis(), TimeUnit.MILLISECONDS))
                    .as("a thread waiting in acquire when close() is called")
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IllegalStateException.class);
            await().atMost(env.heartbeat().plus(env.slack()))
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> lease.expiresAt().isAfter(expiryBeforeClose));
            assertThat(closing).as("close() while work runs under withLock").isNotDone();
            assertThat(lease.isValid()).as("the running work's lease").isTrue();
            assertThat(other.lock(finished).tryAcquire())
                    .as("%s held by running work", finished)
                    .isEmpty();
            assertThat(other.lock(plain).tryAcquire())
                    .as("%s during the drain", plain)
                    .isEmpty();

            finish.countDown();
            closing.get(env.slack().toMillis(), TimeUnit.MILLISECONDS);
            assertThat(work.outcome.get(env.slack().toMillis(), TimeUnit.MILLISECONDS))
                    .isEqualTo("done");
            assertThat(work.losses).as("losses of work that finished in time").isEmpty();
            assertThat(plainLease.isValid()).isFalse();
            assertThat(other.lock(finished).tryAcquire())
                    .as("%s after close", finished)
                    .isPresent();
            assertThat(other.lock(plain).tryAcquire())
                    .as("%s after close", plain)
                    .isPresent();
            held.release();

            // Work that outlives the drain.
            Work late = Work.start(threads, overrunning.lock(outlived), finishLate);
            Lease lateLease = late.lease(env);
            long start = System.nanoTime();
            overrunning.close();
            assertThat(Duration.ofNanos(System.nanoTime() - start))
                    .as("close() with drainTimeout %s", shortDrain)
                    .isBetween(shortDrain, shortDrain.plus(env.slack()));
            assertThat(late.losses).as("onLost calls").hasSize(1);
            assertThat(lateLease.isValid()).isFalse();
            assertThat(other.lock(outlived).tryAcquire())
                    .as("%s while its work still runs", outlived)
                    .isEmpty();
            assertThat(other.inspect(outlived))
                    .as("the store keeps the lease of work that outlived the drain")
                    .hasValueSatisfying(info -> {
                        assertThat(info.ownerId()).isEqualTo(overrunning.ownerId());
                        assertThat(info.token()).isEqualTo(lateLease.token());
                    });
            finishLate.countDown();
            assertThatThrownBy(() -> late.outcome.get(env.slack().toMillis(), TimeUnit.MILLISECONDS))
                    .as("withLock of work that outlived the drain")
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(LockExpiredException.class);
            assertThat(other.inspect(outlived)).map(LockInfo::token).contains(lateLease.token());
        } finally {
            finish.countDown();
            finishLate.countDown();
            threads.shutdownNow();
        }
    }

    private static boolean closeCalled(LockManager manager, String name) {
        try {
            manager.lock(name);
            return false;
        } catch (IllegalStateException e) {
            return true;
        }
    }

    /** Work under {@code withLock} on a thread of its own, running until its latch opens. */
    final class Work {
        final CompletableFuture<Lease> started = new CompletableFuture<>();
        final CompletableFuture<String> outcome = new CompletableFuture<>();
        final List<LockExpiredException> losses = new CopyOnWriteArrayList<>();

        private Work() {}

        static Work start(ExecutorService threads, DistributedLock lock, CountDownLatch until) {
            Work work = new Work();
            threads.execute(() -> {
                try {
                    work.outcome.complete(lock.withLock(lease -> {
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

        Lease lease(TestTimes env) throws Exception {
            return started.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        }
    }
}

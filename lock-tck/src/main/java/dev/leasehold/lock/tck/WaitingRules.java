package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockInterruptedException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Rules 7.x of SPEC.md: waiting and retries. */
public interface WaitingRules extends TckSuite {

    /** Waits until the waiter's manager has made at least one attempt, when the fixture counts them. */
    private void awaitFirstAttempt(LockManager waiter, CompletableFuture<?> future) {
        tck().fixture()
                .faults(waiter)
                .ifPresentOrElse(
                        f -> await().atMost(tck().env().patience())
                                .pollInterval(Duration.ofMillis(2))
                                .until(() -> f.tryAcquireCalls() >= 1),
                        () -> await().pollDelay(tck().env().slack().dividedBy(2))
                                .until(() -> true));
        assertThat(future).as("the waiter gave up before the release").isNotDone();
    }

    /**
     * R7.1: acquire waits for a release. When it fails: acquire gives up although retries were left, or the retry
     * does not ask the store again.
     */
    @Test
    default void required_r7_1_acquireWaitsForARelease() throws Exception {
        LockManager holder = tck().manager();
        LockManager waiter = tck().manager(s -> s.retry(FencingRules.patient(tck())));
        String name = tck().name("wait");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        CompletableFuture<Lease> waiting =
                CompletableFuture.supplyAsync(() -> waiter.lock(name).acquire());
        awaitFirstAttempt(waiter, waiting);
        held.release();
        Lease got = waiting.get(tck().env().patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(got.token()).isGreaterThan(held.token());
        assertThat(got.isValid()).isTrue();
        got.release();
    }

    /**
     * R7.2: running out of retries reports the holder and holds nothing. When it fails: the exception lacks the
     * holder, or a failed acquire left a reservation or a row behind.
     */
    @Test
    default void required_r7_2_runningOutOfRetriesReportsTheHolder() {
        LockManager holder = tck().manager();
        LockManager waiter = tck().manager(s -> s.retry(RetryOptions.of(2, Duration.ofMillis(20))));
        String name = tck().name("retries");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        assertThatThrownBy(() -> waiter.lock(name).acquire())
                .isInstanceOfSatisfying(LockAlreadyHeldException.class, e -> {
                    assertThat(e.heldByThisManager()).isFalse();
                    assertThat(e.lockName()).contains(name);
                    assertThat(e.holder()).hasValueSatisfying(info -> {
                        assertThat(info.ownerId()).isEqualTo(holder.ownerId());
                        assertThat(info.token()).isEqualTo(held.token());
                    });
                });
        assertThat(waiter.lock(name).isHeld()).isFalse();
        assertThat(held.isValid()).isTrue();
        held.release();
        waiter.lock(name).tryAcquire().orElseThrow().release();
    }

    /**
     * R7.3: acquire(maxWait) gives up after about maxWait. When it fails: the wait budget is ignored, or measured with
     * a wall clock, or the last sleep overshoots it.
     */
    @Test
    default void required_r7_3_acquireWithMaxWaitGivesUpOnTime() {
        LockManager holder = tck().manager();
        LockManager waiter = tck().manager(s -> s.retry(RetryOptions.of(0, Duration.ofMillis(50))));
        String name = tck().name("max-wait");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        Duration maxWait = tck().env().leaseTime();
        long start = System.nanoTime();
        assertThatThrownBy(() -> waiter.lock(name).acquire(maxWait)).isInstanceOf(LockAlreadyHeldException.class);
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        assertThat(waited).isBetween(maxWait, maxWait.plus(tck().env().slack()));
        held.release();
    }

    /**
     * R7.4: an interrupt ends the wait and holds nothing. When it fails: the interrupt is swallowed (flag cleared),
     * wrapped in another exception, or the waiter goes on waiting.
     */
    @Test
    default void required_r7_4_anInterruptEndsTheWait() throws Exception {
        LockManager holder = tck().manager();
        LockManager waiter = tck().manager(s -> s.retry(FencingRules.patient(tck())));
        String name = tck().name("interrupt");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        AtomicReference<Throwable> thrown = new AtomicReference<>();
        AtomicBoolean flagAfter = new AtomicBoolean();
        AtomicReference<Thread> thread = new AtomicReference<>();
        CompletableFuture<Void> waiting = CompletableFuture.runAsync(() -> {
            thread.set(Thread.currentThread());
            try {
                waiter.lock(name).acquire();
            } catch (Throwable t) {
                thrown.set(t);
                flagAfter.set(Thread.interrupted());
            }
        });
        awaitFirstAttempt(waiter, waiting);
        thread.get().interrupt();
        waiting.get(tck().env().patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(thrown.get()).isInstanceOf(LockInterruptedException.class);
        assertThat(flagAfter).as("interrupt flag set again").isTrue();
        assertThat(waiter.lock(name).isHeld()).isFalse();
        held.release();
        waiter.lock(name).tryAcquire().orElseThrow().release();

        Thread.currentThread().interrupt();
        try {
            assertThatThrownBy(() -> waiter.lock(name).acquire()).isInstanceOf(LockInterruptedException.class);
            assertThat(Thread.currentThread().isInterrupted()).isTrue();
        } finally {
            Thread.interrupted();
        }
        assertThat(waiter.lock(name).isHeld()).isFalse();
    }

    /** R7.5: acquire(ZERO) is one attempt. When it fails: a zero wait is taken as "wait forever" or as "retry". */
    @Test
    default void required_r7_5_acquireWithZeroWaitMakesOneAttempt() {
        LockManager holder = tck().manager();
        LockManager waiter = tck().manager(s -> s.retry(RetryOptions.of(5, Duration.ofMillis(100))));
        String name = tck().name("zero-wait");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        long start = System.nanoTime();
        assertThatThrownBy(() -> waiter.lock(name).acquire(Duration.ZERO)).isInstanceOf(LockAlreadyHeldException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start))
                .isLessThan(tck().env().slack());
        tck().fixture()
                .faults(waiter)
                .ifPresent(f -> assertThat(f.tryAcquireCalls()).as("attempts").isEqualTo(1));
        held.release();
    }

    /**
     * R7.6: a store that wakes waiters hands the lock over within a round trip. When it fails: the engine sleeps its
     * delay instead of waiting on awaitChange, or the store's awaitChange misses the release.
     */
    @Test
    default void optional_r7_6_aWaiterWakesOnReleaseWithoutPolling() throws Exception {
        LockManager holder = tck().manager();
        LockManager waiter = tck().manager(s -> s.retry(RetryOptions.builder()
                .maxRetries(1)
                .delay(tck().env().patience())
                .build()));
        if (tck().storeOf(waiter).awaitChange(tck().name("probe"), Duration.ofMillis(1))
                == AwaitOutcome.NOT_SUPPORTED) {
            Assumptions.abort(
                    "the store cannot wake waiters here (awaitChange answers NOT_SUPPORTED); waiters poll with the retry delay");
        }
        Faults faults = tck().faultsOf(waiter);
        String name = tck().name("wake");
        Lease held = holder.lock(name).tryAcquire().orElseThrow();
        CompletableFuture<Lease> waiting =
                CompletableFuture.supplyAsync(() -> waiter.lock(name).acquire());
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(2))
                .until(() -> faults.tryAcquireCalls() >= 1 && faults.awaitChangeCalls() >= 1);
        int attemptsBeforeRelease = faults.tryAcquireCalls();
        long releasedAt = System.nanoTime();
        held.release();
        Lease got = waiting.get(tck().env().patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(Duration.ofNanos(System.nanoTime() - releasedAt))
                .isLessThan(tck().env().slack());
        assertThat(attemptsBeforeRelease).as("attempts before the release").isEqualTo(1);
        assertThat(faults.tryAcquireCalls()).as("attempts in all").isEqualTo(2);
        got.release();
    }

    /**
     * R7.7: awaitChange on a free lock returns at once; on a lock held throughout, it answers by its maxWait. When it
     * fails: the store's awaitChange waits for a notification without first looking at the lock, so a release that came
     * before the call (or a lock that was never held) leaves the waiter waiting out its whole delay (look at the lock
     * after subscribing to changes and before waiting); or, on a held lock, it answers null or blocks past maxWait
     * (answer {@code TIMED_OUT} when the wait runs out, or {@code CHANGED} on a sign of change).
     */
    @Test
    default void required_r7_7_awaitChangeOnAFreeLockReturnsAtOnce() throws Exception {
        LockManager manager = tck().manager();
        LeaseStore store = tck().storeOf(manager);
        if (store.awaitChange(tck().name("probe"), Duration.ofMillis(1)) == AwaitOutcome.NOT_SUPPORTED) {
            Assumptions.abort("the store cannot wake waiters (awaitChange answers NOT_SUPPORTED); waiters poll");
        }
        String name = tck().name("free-await");
        Duration maxWait = tck().env().slack().multipliedBy(4);
        assertAwaitChangeReturnsAtOnce(store, name, maxWait, "a lock never held");
        manager.lock(name).tryAcquire().orElseThrow().release();
        assertAwaitChangeReturnsAtOnce(store, name, maxWait, "a released lock");

        // Held throughout by another manager, whose heartbeat renews it. An early CHANGED without cause is allowed
        // (LeaseStore.awaitChange), so the answer may be CHANGED or TIMED_OUT, but it is an answer, by maxWait.
        String held = tck().name("held-await");
        tck().manager().lock(held).tryAcquire().orElseThrow();
        Duration wait = tck().env().slack();
        long start = System.nanoTime();
        AwaitOutcome outcome = store.awaitChange(held, wait);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(outcome)
                .as("awaitChange(%s, %s) on a lock held throughout", held, wait)
                .isIn(AwaitOutcome.CHANGED, AwaitOutcome.TIMED_OUT);
        assertThat(took)
                .as("time awaitChange took on a held lock, waiting up to %s", wait)
                .isLessThan(wait.plus(tck().env().slack()));
    }

    private void assertAwaitChangeReturnsAtOnce(LeaseStore store, String name, Duration maxWait, String what)
            throws Exception {
        long start = System.nanoTime();
        AwaitOutcome outcome = store.awaitChange(name, maxWait);
        Duration took = Duration.ofNanos(System.nanoTime() - start);
        assertThat(outcome).as("awaitChange(%s, %s) on %s", name, maxWait, what).isEqualTo(AwaitOutcome.CHANGED);
        assertThat(took)
                .as("time awaitChange took on %s, waiting up to %s", what, maxWait)
                .isLessThan(tck().env().slack());
    }
}

package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockInterruptedException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * How a waiting acquire waits between two attempts, seen through the store: one attempt per retry when nothing wakes
 * the waiter, the retry delay slept where the store cannot wake waiters or its wait failed, the store asked only once
 * whether it can, an interrupt kept, and what the waiter says when it gives up.
 */
class WaitingBetweenAttemptsTest {

    private static final String WAITER = "waiter";
    private static final Duration DELAY = Duration.ofMillis(40);

    /** How the store's {@code awaitChange} answers. */
    enum Wait {
        /** The reference store's own wait: the lock stays held, so it times out. */
        REFERENCE,
        /** Waits out the whole wait, then reports a change (a release seen at the last moment). */
        CHANGED_AT_THE_END,
        /** Cannot wake waiters. */
        NOT_SUPPORTED,
        /** The wait fails (a dropped listening connection). */
        FAILS
    }

    /** The reference store, counting the waiter's attempts and waits, its wait answering as {@link Wait} says. */
    static final class WaitingStore extends ForwardingLeaseStore {
        final Wait wait;
        final AtomicInteger attempts = new AtomicInteger();
        final AtomicInteger waits = new AtomicInteger();
        final CountDownLatch waiting = new CountDownLatch(1);
        volatile boolean inspectFails;

        WaitingStore(Wait wait) {
            super(new InMemoryLeaseStore());
            this.wait = wait;
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            if (owner.equals(WAITER)) {
                attempts.incrementAndGet();
            }
            return super.tryAcquire(name, owner, leaseTime);
        }

        @Override
        public AwaitOutcome awaitChange(String name, Duration maxWait) throws InterruptedException, SQLException {
            waits.incrementAndGet();
            waiting.countDown();
            switch (wait) {
                case CHANGED_AT_THE_END -> {
                    long until = System.nanoTime() + maxWait.toNanos();
                    for (long left = maxWait.toNanos(); left > 0; left = until - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.sleep(left);
                    }
                    return AwaitOutcome.CHANGED;
                }
                case NOT_SUPPORTED -> {
                    return AwaitOutcome.NOT_SUPPORTED;
                }
                case FAILS -> throw new SQLException("the listening connection dropped", "08006");
                default -> {
                    return super.awaitChange(name, maxWait);
                }
            }
        }

        @Override
        public Optional<LockInfo> inspect(String name) throws SQLException {
            if (inspectFails) {
                throw new SQLException("inspect failed", "08006");
            }
            return super.inspect(name);
        }
    }

    private final TestTimes env = TestTimes.fromEnvironment();

    private static LockSettings settings(String owner, RetryOptions retry) {
        return LockSettings.builder()
                .ownerId(owner)
                .leaseTime(Duration.ofMinutes(5))
                .retry(retry)
                .build();
    }

    /** Holds "job" as another owner, then lets {@link #WAITER} acquire it with {@code retry}; returns the failure. */
    private static Throwable waitForHeldLock(WaitingStore store, RetryOptions retry) {
        try (LeaseLockManager holder = new LeaseLockManager(store, settings("holder", RetryOptions.none()));
                LeaseLockManager waiter = new LeaseLockManager(store, settings(WAITER, retry))) {
            Lease held = holder.lock("job").tryAcquire().orElseThrow();
            Throwable failure = org.assertj.core.api.Assertions.catchThrowable(
                    () -> waiter.lock("job").acquire());
            assertThat(held.isValid()).isTrue();
            return failure;
        }
    }

    @Test
    void aWaitThatNobodyEndsCostsOneAttemptPerRetry() {
        WaitingStore store = new WaitingStore(Wait.REFERENCE);

        Throwable failure = waitForHeldLock(store, RetryOptions.of(2, DELAY));

        assertThat(failure).isInstanceOf(LockAlreadyHeldException.class);
        assertThat(store.attempts).as("the first attempt and one per retry").hasValue(3);
        assertThat(store.waits).hasValue(2);
    }

    @Test
    void aChangeReportedAsTheDelayEndsEndsThatRetry() {
        WaitingStore store = new WaitingStore(Wait.CHANGED_AT_THE_END);

        Throwable failure = waitForHeldLock(store, RetryOptions.of(2, DELAY));

        assertThat(failure).isInstanceOf(LockAlreadyHeldException.class);
        // The attempt after the wake-up is the retry's last: the delay is over, so none follows it.
        assertThat(store.attempts).hasValue(3);
    }

    @Test
    void aStoreThatCannotWakeWaitersIsAskedOnceAndTheDelaysAreSlept() {
        WaitingStore store = new WaitingStore(Wait.NOT_SUPPORTED);
        long start = System.nanoTime();

        Throwable failure = waitForHeldLock(store, RetryOptions.of(3, DELAY));

        assertThat(failure).isInstanceOf(LockAlreadyHeldException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(DELAY.multipliedBy(3));
        assertThat(store.attempts).hasValue(4);
        assertThat(store.waits).as("NOT_SUPPORTED is remembered").hasValue(1);
    }

    @Test
    void aFailedStoreWaitIsSleptInstead() {
        WaitingStore store = new WaitingStore(Wait.FAILS);
        long start = System.nanoTime();

        Throwable failure = waitForHeldLock(store, RetryOptions.of(2, DELAY));

        assertThat(failure).isInstanceOf(LockAlreadyHeldException.class);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(DELAY.multipliedBy(2));
        assertThat(store.attempts).hasValue(3);
        assertThat(store.waits)
                .as("a failed wait is tried again at the next retry")
                .hasValue(2);
    }

    @Test
    void anInterruptedWaiterThrowsLockInterruptedExceptionAndKeepsItsInterrupt() throws Exception {
        WaitingStore store = new WaitingStore(Wait.REFERENCE);
        try (LeaseLockManager holder = new LeaseLockManager(store, settings("holder", RetryOptions.none()));
                LeaseLockManager waiter =
                        new LeaseLockManager(store, settings(WAITER, RetryOptions.of(1, Duration.ofMinutes(1))))) {
            holder.lock("job").tryAcquire().orElseThrow();
            CompletableFuture<Throwable> failure = new CompletableFuture<>();
            CompletableFuture<Boolean> interruptKept = new CompletableFuture<>();
            Thread thread = new Thread(() -> {
                try {
                    waiter.lock("job").acquire();
                } catch (Throwable t) {
                    failure.complete(t);
                }
                interruptKept.complete(Thread.currentThread().isInterrupted());
            });
            thread.start();
            assertThat(store.waiting.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();

            thread.interrupt();

            assertThat(failure.get(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isInstanceOf(LockInterruptedException.class)
                    .hasMessageContaining("job");
            assertThat(interruptKept.get(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                    .isTrue();
        }
    }

    @Test
    void givingUpSaysWhoHoldsTheLockHowLongItWaitedAndTheLimits() {
        WaitingStore store = new WaitingStore(Wait.REFERENCE);
        RetryOptions retry = RetryOptions.builder()
                .maxRetries(2)
                .delay(DELAY)
                .maxWait(Duration.ofSeconds(30))
                .build();
        long start = System.nanoTime();

        Throwable failure = waitForHeldLock(store, retry);

        long elapsedMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertThat(failure)
                .isInstanceOf(LockAlreadyHeldException.class)
                .hasMessageStartingWith("lock 'job' is held by owner holder (token ")
                .hasMessageContaining(" by the database clock); gave up after ")
                .hasMessageContaining(" ms, 2 retries allowed, waiting up to 30000 ms.");
        LockAlreadyHeldException held = (LockAlreadyHeldException) failure;
        assertThat(held.holder())
                .hasValueSatisfying(h -> assertThat(h.ownerId()).isEqualTo("holder"));
        assertThat(held.heldByThisManager()).isFalse();
        assertThat(waitedMillis(held)).isBetween(DELAY.multipliedBy(2).toMillis(), elapsedMillis);
    }

    @Test
    void givingUpWithoutRetriesNorAnOverallLimitSaysSo() {
        WaitingStore store = new WaitingStore(Wait.REFERENCE);

        Throwable failure = waitForHeldLock(store, RetryOptions.none());

        assertThat(failure)
                .isInstanceOf(LockAlreadyHeldException.class)
                .hasMessageContaining(" ms, 0 retries allowed. ")
                .message()
                .doesNotContain("waiting up to");
    }

    @Test
    void givingUpWhenTheHolderCannotBeReadSaysItIsHeld() {
        WaitingStore store = new WaitingStore(Wait.REFERENCE);
        store.inspectFails = true;

        Throwable failure = waitForHeldLock(store, RetryOptions.none());

        assertThat(failure)
                .isInstanceOf(LockAlreadyHeldException.class)
                .hasMessageStartingWith("lock 'job' is held; gave up after ");
        assertThat(((LockAlreadyHeldException) failure).holder()).isEmpty();
    }

    private static long waitedMillis(LockAlreadyHeldException e) {
        Matcher m = Pattern.compile("gave up after (\\d+) ms").matcher(e.getMessage());
        assertThat(m.find()).as(e.getMessage()).isTrue();
        return Long.parseLong(m.group(1));
    }

    @Test
    void aManagerClosedWhileTheStoreAnswersAnAttemptThrowsWithoutWaiting() {
        InMemoryLeaseStore shared = new InMemoryLeaseStore();
        try (LeaseLockManager holder = new LeaseLockManager(shared, settings("holder", RetryOptions.none()))) {
            holder.lock("job").tryAcquire().orElseThrow();
            LeaseLockManager[] waiter = new LeaseLockManager[1];
            // The crash happens between the failed attempt and the wait: the waiter must not wait its minute.
            ForwardingLeaseStore crashing = new ForwardingLeaseStore(shared) {
                @Override
                public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime)
                        throws SQLException {
                    Optional<LeaseGrant> grant = super.tryAcquire(name, owner, leaseTime);
                    EngineAccess.abandon(waiter[0]);
                    return grant;
                }
            };
            waiter[0] = new LeaseLockManager(crashing, settings(WAITER, RetryOptions.of(1, Duration.ofMinutes(1))));
            CompletableFuture<Throwable> failure = CompletableFuture.supplyAsync(() -> {
                try {
                    waiter[0].lock("job").acquire();
                    return null;
                } catch (Throwable t) {
                    return t;
                }
            });

            assertThat(failure)
                    .succeedsWithin(env.patience())
                    .isInstanceOf(IllegalStateException.class)
                    .extracting(Throwable::getMessage)
                    .asString()
                    .contains("closed while this thread waited for lock 'job'");
        }
    }

    @Test
    void aGrantThatArrivesAfterTheManagerClosedIsGivenBack() throws Exception {
        InMemoryLeaseStore shared = new InMemoryLeaseStore();
        LeaseLockManager[] manager = new LeaseLockManager[1];
        ForwardingLeaseStore crashing = new ForwardingLeaseStore(shared) {
            @Override
            public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
                Optional<LeaseGrant> grant = super.tryAcquire(name, owner, leaseTime);
                EngineAccess.abandon(manager[0]);
                return grant;
            }
        };
        manager[0] = new LeaseLockManager(crashing, settings(WAITER, RetryOptions.none()));

        assertThatThrownBy(() -> manager[0].lock("job").tryAcquire())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
        assertThat(shared.inspect("job")).as("the grant was given back").isEmpty();
        assertThat(manager[0].heldLeaseCount()).isZero();
    }
}

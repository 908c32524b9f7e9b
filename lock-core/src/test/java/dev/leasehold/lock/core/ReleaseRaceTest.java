package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Another thread of the manager acting on a name while a release of it is between the store's answer and the end of
 * {@code release()}: the store has freed the name already, the releasing thread has not returned yet. Latches in the
 * store hold the release there.
 */
class ReleaseRaceTest {

    private final TestTimes env = TestTimes.fromEnvironment();
    private final LockEventsTest.MovableClock clock = new LockEventsTest.MovableClock();
    private final CountDownLatch freed = new CountDownLatch(1);
    private final CountDownLatch proceed = new CountDownLatch(1);
    private final AtomicBoolean armed = new AtomicBoolean();

    /** The reference store; once armed, the next release or releaseAfter answers only when the test lets it. */
    private final ForwardingLeaseStore store = new ForwardingLeaseStore(new InMemoryLeaseStore(clock)) {
        @Override
        public boolean release(String name, String owner, long token) throws SQLException {
            return held(super.release(name, owner, token));
        }

        @Override
        public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
            return held(super.releaseAfter(name, owner, token, minHold));
        }

        private boolean held(boolean answer) throws SQLException {
            if (armed.compareAndSet(true, false)) {
                freed.countDown();
                try {
                    if (!proceed.await(env.patience().toMillis(), TimeUnit.MILLISECONDS)) {
                        throw new SQLException("the test never let the release answer", "57014");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", "57014", e);
                }
            }
            return answer;
        }
    };

    private final LeaseLockManager manager = new LeaseLockManager(
            store,
            LockSettings.builder()
                    .ownerId("release-race")
                    .leaseTime(Duration.ofMinutes(1))
                    .retry(RetryOptions.none())
                    .build());

    @AfterEach
    void close() {
        proceed.countDown();
        manager.close();
    }

    @Test
    void aLockBeingReleasedWithAHoldThatHasPassedIsContendedUntilTheReleaseReturns() throws Exception {
        Lease lease = manager.lock("held-back").tryAcquire().orElseThrow();
        // The hold counts from the grant by the store's clock: one of a millisecond is over a second later.
        clock.advance(Duration.ofSeconds(1));
        armed.set(true);
        CompletableFuture<Void> releasing = CompletableFuture.runAsync(() -> lease.release(Duration.ofMillis(1)));
        assertThat(freed.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        assertThat(manager.inspect("held-back")).as("the store has freed it").isEmpty();

        // The name is RELEASING in this manager until release() returns: contention, as while the store holds it.
        Optional<Lease> other = manager.lock("held-back").tryAcquire();

        assertThat(other).isEmpty();
        proceed.countDown();
        assertThat(releasing).succeedsWithin(env.patience());
        assertThat(manager.lock("held-back").tryAcquire()).isPresent();
    }

    @Test
    void aReleaseThatReturnsAfterAnotherThreadTookTheLockLeavesThatThreadsLeaseInPlace() throws Exception {
        Lease first = manager.lock("retaken").tryAcquire().orElseThrow();
        armed.set(true);
        CompletableFuture<Void> releasing = CompletableFuture.runAsync(first::release);
        assertThat(freed.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();

        // A release without a hold forgets the name before the store is asked, so this thread may take it at once.
        Lease second = manager.lock("retaken").tryAcquire().orElseThrow();
        proceed.countDown();
        assertThat(releasing).succeedsWithin(env.patience());

        // The first release forgets its own lease as it returns, not the second one that now holds the name.
        assertThat(manager.lock("retaken").isHeld()).isTrue();
        assertThat(second.isValid()).isTrue();
        assertThat(manager.heldLeaseCount()).isEqualTo(1);
    }
}

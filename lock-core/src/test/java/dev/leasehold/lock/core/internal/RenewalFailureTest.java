package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * What a failing renewal does: a failure that is not transient loses the lease at once; transient ones are retried
 * until the earliest deadline of the batch and no longer; and a lease lost at its deadline while its renewal hangs
 * names the manager's last renewal failure as the cause, if no renewal has succeeded since.
 */
class RenewalFailureTest {

    private final TestTimes env = TestTimes.fromEnvironment();

    /** The reference store; a batch that holds a poisoned name fails, one that holds a hanging name waits. */
    private final class Store extends ForwardingLeaseStore {
        final Set<String> poisoned = ConcurrentHashMap.newKeySet();
        volatile SQLException poison = new SQLException("permission denied", "42501");
        final Set<String> hanging = ConcurrentHashMap.newKeySet();
        final CountDownLatch answer = new CountDownLatch(1);
        final Map<String, AtomicInteger> renewed = new ConcurrentHashMap<>();

        Store() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            for (LeaseKey key : leases) {
                if (poisoned.contains(key.name())) {
                    throw poison;
                }
            }
            for (LeaseKey key : leases) {
                if (hanging.contains(key.name())) {
                    hang();
                }
            }
            Map<String, Instant> answer = super.renewAll(owner, leases, leaseTime);
            answer.keySet().forEach(name -> renewals(name).incrementAndGet());
            return answer;
        }

        AtomicInteger renewals(String name) {
            return renewed.computeIfAbsent(name, k -> new AtomicInteger());
        }

        /** A statement in flight: it answers only when the test lets it, whatever interrupts its thread. */
        private void hang() {
            boolean interrupted = false;
            long until = System.nanoTime() + env.patience().toNanos();
            while (System.nanoTime() - until < 0) {
                try {
                    if (answer.await(until - System.nanoTime(), TimeUnit.NANOSECONDS)) {
                        break;
                    }
                } catch (InterruptedException e) {
                    interrupted = true;
                }
            }
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final Store store = new Store();
    private final LeaseLockManager manager = new LeaseLockManager(
            store,
            LockSettings.builder()
                    .ownerId("renewal-failure")
                    .leaseTime(env.leaseTime())
                    .heartbeatInterval(env.heartbeat())
                    .retry(RetryOptions.none())
                    .build());

    @AfterEach
    void close() {
        store.answer.countDown();
        manager.close();
    }

    private CompletableFuture<LockExpiredException> acquire(String name) {
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        manager.lock(name).tryAcquire().orElseThrow().onLost(lost::complete);
        return lost;
    }

    @Test
    void aLeaseLostAtItsDeadlineWhileItsRenewalHangsNamesTheLastRenewalFailure() throws Exception {
        store.poisoned.add("failing");
        LockExpiredException failed = acquire("failing").get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(failed.getCause()).isInstanceOf(LockBackendException.class);

        store.hanging.add("hanging");
        LockExpiredException expired = acquire("hanging").get(env.patience().toMillis(), TimeUnit.MILLISECONDS);

        assertThat(expired).hasMessageContaining("no renewal succeeded before the lease's local deadline");
        assertThat(expired.getCause()).isSameAs(failed.getCause());
    }

    @Test
    void aRenewalThatSucceedsClearsTheLastFailure() throws Exception {
        store.poisoned.add("failing");
        acquire("failing").get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        Lease steady = manager.lock("steady").tryAcquire().orElseThrow();
        await().atMost(env.patience()).until(() -> store.renewals("steady").get() >= 1);
        steady.release();

        store.hanging.add("hanging");
        LockExpiredException expired = acquire("hanging").get(env.patience().toMillis(), TimeUnit.MILLISECONDS);

        assertThat(expired).hasMessageContaining("no renewal succeeded before the lease's local deadline");
        assertThat(expired.getCause()).isNull();
    }

    @Test
    void aRenewalFailureThatIsNotTransientLosesALongLeaseAtOnce() throws Exception {
        store.poisoned.add("long");
        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        // A lease time far beyond the test's patience: only the failure itself can end the lease in time.
        manager.lock(
                        "long",
                        LockOptions.builder()
                                .leaseTime(Duration.ofHours(1))
                                .heartbeatInterval(env.heartbeat())
                                .build())
                .tryAcquire()
                .orElseThrow()
                .onLost(lost::complete);

        LockExpiredException failed = lost.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);

        assertThat(failed).hasMessageContaining("renewal failed with an error that is not transient");
        assertThat(failed.getCause()).isInstanceOf(LockBackendException.class);
    }

    @Test
    void transientFailuresOfABatchAreRetriedUntilItsEarliestDeadlineOnlySoTheOthersAreRenewedAlone() throws Exception {
        // Every batch that holds "early" fails transiently, as a statement failing on that one row would.
        store.poison = new SQLException("connection reset", "08006");
        store.poisoned.add("early");
        CompletableFuture<LockExpiredException> earlyLost = new CompletableFuture<>();
        Lease early = manager.lock("early").tryAcquire().orElseThrow().onLost(earlyLost::complete);
        Duration validAtFirst = early.validFor();
        // "late" is acquired two thirds of a heartbeat later: due within its interval when "early" is, so both go in
        // one batch, and its deadline is well beyond the 50 ms after which a failed renewal is retried.
        Duration gap = env.heartbeat().multipliedBy(2).dividedBy(3);
        await().atMost(env.patience()).until(() -> early.validFor().compareTo(validAtFirst.minus(gap)) <= 0);
        Lease late = manager.lock("late").tryAcquire().orElseThrow();

        LockExpiredException lost = earlyLost.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
        assertThat(lost).hasMessageContaining("local deadline");

        // The batch gave up at the deadline of "early", half a heartbeat before that of "late": "late" is retried
        // alone, and renewed.
        await().atMost(env.patience()).until(() -> store.renewals("late").get() >= 1);
        assertThat(late.isValid()).isTrue();
    }
}

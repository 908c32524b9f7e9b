package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
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
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * A lease whose renewal failed transiently but whose deadline has not passed is retried after a pause of 50 ms, not at
 * once: a failing database is not asked again in a tight loop.
 */
class RenewalRetryAfterFailureTest {

    /** The pause before a failed renewal is tried again ({@code Heartbeat.RETRY_AFTER_FAILURE_NANOS}). */
    private static final Duration RETRY_PAUSE = Duration.ofMillis(50);

    private final TestTimes env = TestTimes.fromEnvironment();

    /**
     * The reference store. A batch that holds "early" answers only once "early" is lost at its local deadline, and
     * then fails transiently: the batch has no time left for retries, and "late", due later, is left to the
     * heartbeat's retry. The first renewal of "late" alone notes when that retry was due.
     */
    private final class Store extends ForwardingLeaseStore {
        final CompletableFuture<LockExpiredException> earlyLost = new CompletableFuture<>();
        volatile ManagedLease late;
        volatile long failedAt;
        volatile long deadlineBeforeRetry;
        final CompletableFuture<Duration> retryDueAfterFailure = new CompletableFuture<>();

        Store() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            List<String> names = leases.stream().map(LeaseKey::name).toList();
            if (names.contains("early")) {
                try {
                    earlyLost.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                } catch (ExecutionException | TimeoutException e) {
                    throw new IllegalStateException("'early' was not lost at its deadline", e);
                }
                failedAt = System.nanoTime();
                throw new SQLException("connection reset", "08006");
            }
            if (names.equals(List.of("late")) && failedAt != 0 && !retryDueAfterFailure.isDone()) {
                deadlineBeforeRetry = late.deadline();
                retryDueAfterFailure.complete(Duration.ofNanos(late.nextRenewAt() - failedAt));
            }
            return super.renewAll(owner, leases, leaseTime);
        }
    }

    @Test
    void aLeaseLeftAliveByAFailedBatchIsRetriedOnlyAfterThePause() throws Exception {
        Store store = new Store();
        // Twice the usual lease, so that "late" outlives "early" by a third of it.
        Duration leaseTime = env.leaseTime().multipliedBy(2);
        Duration heartbeat = leaseTime.dividedBy(3);
        try (LeaseLockManager manager = new LeaseLockManager(
                store,
                LockSettings.builder()
                        .ownerId("retry-pause")
                        .leaseTime(leaseTime)
                        .heartbeatInterval(heartbeat)
                        .retry(RetryOptions.none())
                        .build())) {
            Lease early = manager.lock("early").tryAcquire().orElseThrow().onLost(store.earlyLost::complete);
            Duration validAtFirst = early.validFor();
            // "late", acquired half a heartbeat later, is due within its interval when "early" is due, so both go in
            // one batch; its deadline is half a heartbeat after that of "early".
            Duration gap = heartbeat.dividedBy(2);
            await().atMost(env.patience()).until(() -> early.validFor().compareTo(validAtFirst.minus(gap)) <= 0);
            store.late = (ManagedLease) manager.lock("late").tryAcquire().orElseThrow();

            Duration due = store.retryDueAfterFailure.get(env.patience().toMillis(), TimeUnit.MILLISECONDS);

            assertThat(store.earlyLost).isDone();
            // The heartbeat reads its clock after the store threw, and sets the retry 50 ms later.
            assertThat(due).as("retry due after the failure").isGreaterThanOrEqualTo(RETRY_PAUSE);
            // And the retry renews it.
            await().atMost(env.patience()).until(() -> store.late.deadline() - store.deadlineBeforeRetry > 0);
            assertThat(store.late.isValid()).isTrue();
        }
    }
}

package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * A holder's renewals that meet its row locked by another transaction (an administrator's open {@code UPDATE}, a long
 * transactional check) are retried as transient failures: the lease survives a row lock that ends before the lease's
 * local deadline, and is lost cleanly at that deadline, with its listeners told, when the row stays locked. Nothing
 * waits for the other transaction to end.
 */
class RowLockedRenewalTest {

    private static final Duration LEASE = Duration.ofSeconds(2);
    private static final Duration HEARTBEAT = Duration.ofMillis(500);

    private static JdbcLockManager manager(TestDatabase db, String prefix) {
        return JdbcLockManager.create(
                db.dataSource(),
                LockSettings.builder()
                        .tablePrefix(prefix)
                        .leaseTime(LEASE)
                        .heartbeatInterval(HEARTBEAT)
                        .retry(RetryOptions.none())
                        .build());
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aLeaseSurvivesARowLockShorterThanItsDeadline(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("rowlocked");
        try (JdbcLockManager holder = manager(db, prefix)) {
            Lease lease = holder.lock("busy-row").tryAcquire().orElseThrow();
            CountDownLatch lost = new CountDownLatch(1);
            lease.onLost(e -> lost.countDown());
            // Locked for two heartbeats: at least one renewal meets the lock and is retried.
            try (AutoCloseable rowLock = db.lockLeaseRow(prefix, "busy-row")) {
                assertThat(lost.await(HEARTBEAT.toMillis() * 2, TimeUnit.MILLISECONDS))
                        .isFalse();
            }
            await().atMost(LEASE).until(() -> lease.validFor().compareTo(LEASE.minus(HEARTBEAT)) > 0);
            assertThat(lease.isValid()).isTrue();
            assertThat(holder.inspect("busy-row")).map(i -> i.token()).contains(lease.token());
            lease.release();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }

    @ParameterizedTest
    @EnumSource(DatabaseKind.class)
    void aLeaseWhoseRowStaysLockedIsLostAtItsDeadline(DatabaseKind kind) throws Exception {
        TestDatabase db = TestDatabases.get(kind);
        String prefix = db.uniquePrefix("rowlocked");
        try (JdbcLockManager holder = manager(db, prefix);
                JdbcLockManager other = manager(db, prefix)) {
            Lease lease = holder.lock("stuck-row").tryAcquire().orElseThrow();
            AtomicReference<LockExpiredException> reason = new AtomicReference<>();
            CountDownLatch lost = new CountDownLatch(1);
            lease.onLost(e -> {
                reason.set(e);
                lost.countDown();
            });
            long lockedAt;
            try (AutoCloseable rowLock = db.lockLeaseRow(prefix, "stuck-row")) {
                lockedAt = System.nanoTime();
                assertThat(lost.await(LEASE.multipliedBy(3).toMillis(), TimeUnit.MILLISECONDS))
                        .as("lost while its row stays locked")
                        .isTrue();
                Duration after = Duration.ofNanos(System.nanoTime() - lockedAt);
                assertThat(after)
                        .as("lost no later than a lease time plus slack")
                        .isLessThan(LEASE.plusSeconds(1));
                assertThat(lease.isValid()).isFalse();
                assertThat(reason.get().getMessage()).contains("local deadline");
            }
            // Once the other transaction ends, the lock can be taken with a larger token.
            Lease next = other.lock("stuck-row").acquire(LEASE.multipliedBy(2));
            assertThat(next.token()).isGreaterThan(lease.token());
            next.release();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }
}

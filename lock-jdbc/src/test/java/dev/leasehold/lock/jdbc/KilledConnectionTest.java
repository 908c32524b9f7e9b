package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * A renewal whose connection is terminated by the server (pg_terminate_backend, SQLState 57P01) is retried on a new
 * connection, and the lease survives: the renewal is guarded by owner and token, so it can only renew what is still
 * this holder's.
 */
class KilledConnectionTest {

    @Test
    void aRenewalOnAKilledConnectionIsRetriedOnANewOneAndTheLeaseSurvives() {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("killed");
        try (TestPool pool = db.newPool("killed", 2);
                JdbcLockManager locks = JdbcLockManager.create(
                        pool,
                        LockSettings.builder()
                                .tablePrefix(prefix)
                                .leaseTime(Duration.ofSeconds(2))
                                .heartbeatInterval(Duration.ofMillis(400))
                                .build())) {
            Lease lease = locks.lock("survivor").tryAcquire().orElseThrow();
            AtomicInteger lost = new AtomicInteger();
            lease.onLost(e -> lost.incrementAndGet());
            for (int round = 0; round < 3; round++) {
                assertThat(pool.endSessions())
                        .as("the pool's connections terminated")
                        .isPositive();
                Instant before = locks.inspect("survivor").orElseThrow().expiresAt();
                await().atMost(Duration.ofSeconds(5))
                        .pollInterval(Duration.ofMillis(20))
                        .until(() -> locks.inspect("survivor")
                                .map(LockInfo::expiresAt)
                                .filter(e -> e.isAfter(before))
                                .isPresent());
            }
            assertThat(lost).as("lost-lease signals").hasValue(0);
            assertThat(lease.isValid()).isTrue();
            assertThat(locks.inspect("survivor")).map(LockInfo::token).contains(lease.token());
            lease.release();
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
    }
}

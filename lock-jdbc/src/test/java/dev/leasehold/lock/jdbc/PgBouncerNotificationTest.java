package dev.leasehold.lock.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.jdbc.internal.JdbcLeaseStore;
import dev.leasehold.lock.spi.AwaitOutcome;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.table.internal.SessionProbe;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.OwnedPgBouncer;
import dev.leasehold.lock.testing.OwnedPgBouncer.PoolMode;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import java.sql.Connection;
import java.sql.SQLException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jdbi.v3.core.Jdbi;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Waiting on PostgreSQL behind a real PgBouncer. In transaction mode the store's session probe sees that its
 * connection is not one session, so {@code LISTEN} is never tried: {@code awaitChange} says NOT_SUPPORTED at once and
 * keeps no connection. In session mode the probe (which then needs a second connection, since PgBouncer hides the
 * backend's pid from the driver) lets it listen, and a waiter wakes on release. On a direct connection the probe never
 * takes a second connection.
 */
class PgBouncerNotificationTest {

    private static final TestDatabase DB = TestDatabases.get(DatabaseKind.POSTGRESQL);
    private static final String PREFIX = DB.uniquePrefix("PgBouncerNotificationTest");
    private static final Duration LEASE = Duration.ofSeconds(30);

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void aDirectConnectionIsASessionWithoutASecondConnection() throws Exception {
        try (Connection c = DB.dataSource().getConnection()) {
            SessionProbe.Result result = SessionProbe.check(c, work -> {
                throw new AssertionError("the probe took a second connection on a direct connection");
            });
            assertThat(result.problem()).isEmpty();
        }
    }

    @Test
    void behindTransactionPoolingWaitersAreToldToPollAndNoConnectionIsKept() throws Exception {
        try (OwnedPgBouncer bouncer = OwnedPgBouncer.start(DB, PoolMode.TRANSACTION);
                HikariDataSource holderPool = bouncer.database().newPool("bouncer-holder", 4);
                HikariDataSource waiterPool = bouncer.database().newPool("bouncer-waiter", 4)) {
            JdbcLeaseStore holder = JdbcLeaseStore.open(Jdbi.create(holderPool), settings());
            JdbcLeaseStore waiter = JdbcLeaseStore.open(Jdbi.create(waiterPool), settings());
            try {
                assertThat(holder.tryAcquire("held", "holder", LEASE)).isPresent();
                try (Connection c = waiterPool.getConnection()) {
                    assertThat(SessionProbe.check(c, work -> {
                                        try (Connection other = waiterPool.getConnection()) {
                                            work.run(other);
                                        }
                                    })
                                    .problem())
                            .as("what the probe says behind transaction pooling")
                            .isPresent();
                }
                long start = System.nanoTime();
                assertThat(waiter.awaitChange("held", Duration.ofSeconds(10))).isEqualTo(AwaitOutcome.NOT_SUPPORTED);
                assertThat(waiter.awaitChange("held", Duration.ofSeconds(10))).isEqualTo(AwaitOutcome.NOT_SUPPORTED);
                assertThat(Duration.ofNanos(System.nanoTime() - start))
                        .as("two waits that are not supported")
                        .isLessThan(Duration.ofSeconds(5));
                assertThat(waiterPool.getHikariPoolMXBean().getActiveConnections())
                        .as("connections the waiter's store keeps (a listener would keep one)")
                        .isZero();
            } finally {
                holder.close();
                waiter.close();
            }
        }
    }

    @Test
    void behindSessionPoolingAWaiterWakesOnRelease() throws Exception {
        try (OwnedPgBouncer bouncer = OwnedPgBouncer.start(DB, PoolMode.SESSION);
                HikariDataSource holderPool = bouncer.database().newPool("session-holder", 4);
                HikariDataSource waiterPool = bouncer.database().newPool("session-waiter", 4)) {
            AtomicInteger secondConnections = new AtomicInteger();
            try (Connection c = waiterPool.getConnection()) {
                assertThat(SessionProbe.check(c, work -> {
                                    secondConnections.incrementAndGet();
                                    try (Connection other = waiterPool.getConnection()) {
                                        work.run(other);
                                    }
                                })
                                .problem())
                        .as("what the probe says behind session pooling")
                        .isEmpty();
            }
            assertThat(secondConnections)
                    .as("second connections the probe took behind PgBouncer")
                    .hasValue(1);
            Duration delay = Duration.ofSeconds(20);
            LockManager holder =
                    new LeaseLockManager(JdbcLeaseStore.open(Jdbi.create(holderPool), settings()), settings());
            AtomicInteger waits = new AtomicInteger();
            LockManager waiter = new LeaseLockManager(
                    new ForwardingLeaseStore(JdbcLeaseStore.open(Jdbi.create(waiterPool), settings())) {
                        @Override
                        public AwaitOutcome awaitChange(String name, Duration maxWait)
                                throws InterruptedException, SQLException {
                            waits.incrementAndGet();
                            return super.awaitChange(name, maxWait);
                        }
                    },
                    settings().toBuilder()
                            .retry(RetryOptions.builder()
                                    .maxRetries(1)
                                    .delay(delay)
                                    .build())
                            .build());
            try {
                Lease held = holder.lock("wake").tryAcquire().orElseThrow();
                CompletableFuture<Lease> waiting =
                        CompletableFuture.supplyAsync(() -> waiter.lock("wake").acquire());
                // Listen first, then look: a release after the wait began is heard, or seen by the look.
                await().atMost(Duration.ofSeconds(10)).until(() -> waits.get() >= 1);
                long released = System.nanoTime();
                held.release();
                Lease got = waiting.get(delay.toMillis(), TimeUnit.MILLISECONDS);
                assertThat(Duration.ofNanos(System.nanoTime() - released))
                        .as("from the release to the waiter's grant, with a retry delay of " + delay)
                        .isLessThan(Duration.ofSeconds(3));
                assertThat(waiterPool.getHikariPoolMXBean().getActiveConnections())
                        .as("the waiter's listening connection")
                        .isEqualTo(1);
                got.release();
            } finally {
                holder.close();
                waiter.close();
            }
        }
    }

    private static LockSettings settings() {
        return LockSettings.builder()
                .tablePrefix(PREFIX)
                .leaseTime(LEASE)
                .retry(RetryOptions.none())
                .build();
    }
}

package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseStore;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** {@link LeaseLockManager#purgeIdle}: argument checks, failures, and the periodic purge of the settings. */
class PurgeIdleTest {

    /** A store that counts purges and may fail them. */
    static final class CountingStore extends ForwardingLeaseStore {
        final AtomicInteger purges = new AtomicInteger();
        final AtomicReference<Exception> failWith = new AtomicReference<>();
        final AtomicReference<Thread> purgedOn = new AtomicReference<>();

        CountingStore(LeaseStore delegate) {
            super(delegate);
        }

        @Override
        public long purgeIdle(Duration idleFor) throws SQLException {
            purges.incrementAndGet();
            purgedOn.set(Thread.currentThread());
            Exception e = failWith.get();
            if (e instanceof SQLException sql) {
                throw sql;
            }
            if (e instanceof RuntimeException r) {
                throw r;
            }
            return super.purgeIdle(idleFor);
        }
    }

    private static LockSettings.Builder settings() {
        return LockSettings.builder().leaseTime(Duration.ofSeconds(5));
    }

    @Test
    void badIdleAgesAreRejectedBeforeTheStoreIsAsked() {
        CountingStore store = new CountingStore(new InMemoryLeaseStore());
        try (LeaseLockManager manager = new LeaseLockManager(store, settings().build())) {
            assertThatThrownBy(() -> manager.purgeIdle(null))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleFor");
            assertThatThrownBy(() -> manager.purgeIdle(Duration.ZERO))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleFor is PT0S; it must be positive");
            assertThatThrownBy(() -> manager.purgeIdle(Duration.ofMillis(-1)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleFor");
            assertThatThrownBy(() -> manager.purgeIdle(Duration.ofDays(3_654)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageContaining("idleFor")
                    .hasMessageContaining("3653 days");
            assertThat(store.purges).hasValue(0);
            assertThat(manager.purgeIdle(Duration.ofDays(3_653))).isZero();
            assertThat(store.purges).hasValue(1);
        }
        assertThatThrownBy(() -> settings().purgeIdleAfter(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("purgeIdleAfter");
    }

    @Test
    void purgedNamesStartAboveTheFloor() {
        Instant[] now = {Instant.parse("2030-01-01T00:00:00Z")};
        Clock clock = new Clock() {
            @Override
            public ZoneOffset getZone() {
                return ZoneOffset.UTC;
            }

            @Override
            public Clock withZone(java.time.ZoneId zone) {
                return this;
            }

            @Override
            public Instant instant() {
                return now[0];
            }
        };
        InMemoryLeaseStore store = new InMemoryLeaseStore(clock);
        try (LeaseLockManager manager = new LeaseLockManager(store, settings().build())) {
            long last = 0;
            for (int i = 0; i < 3; i++) {
                Lease lease = manager.lock("a").tryAcquire().orElseThrow();
                last = lease.token();
                lease.release();
            }
            // An hour later by the store clock: "a" was freed an hour ago.
            now[0] = now[0].plus(Duration.ofHours(1));
            assertThat(manager.purgeIdle(Duration.ofMinutes(59).plusSeconds(58)))
                    .isEqualTo(1);
            assertThat(manager.purgeIdle(Duration.ofMinutes(59).plusSeconds(58)))
                    .isZero();
            assertThat(manager.lock("b").tryAcquire().orElseThrow().token())
                    .as("a new name starts above the floor")
                    .isGreaterThan(last);
            assertThat(manager.lock("a").tryAcquire().orElseThrow().token()).isGreaterThan(last);
        }
    }

    @Test
    void aDatabaseFailureIsALockBackendExceptionWithItsSqlState() {
        CountingStore store = new CountingStore(new InMemoryLeaseStore());
        store.failWith.set(new SQLException("permission denied for table", "42501"));
        try (LeaseLockManager manager = new LeaseLockManager(store, settings().build())) {
            assertThatThrownBy(() -> manager.purgeIdle(Duration.ofDays(1)))
                    .isInstanceOfSatisfying(
                            LockBackendException.class,
                            e -> assertThat(e.sqlState()).contains("42501"))
                    .hasMessageContaining("purge of idle names")
                    .hasCauseInstanceOf(SQLException.class);
        }
    }

    @Test
    void aStoreThatCannotPurgeSaysSo() {
        LeaseStore store = new ForwardingLeaseStore(new InMemoryLeaseStore()) {
            @Override
            public long purgeIdle(Duration idleFor) {
                throw new UnsupportedOperationException("no purge here");
            }
        };
        try (LeaseLockManager manager = new LeaseLockManager(store, settings().build())) {
            assertThatThrownBy(() -> manager.purgeIdle(Duration.ofDays(1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessage("no purge here");
        }
    }

    @Test
    void thePeriodicPurgeRunsOnItsOwnThreadSurvivesFailuresAndStopsOnClose() {
        CountingStore store = new CountingStore(new InMemoryLeaseStore());
        store.failWith.set(new SQLException("injected", "42501"));
        LeaseLockManager manager = new LeaseLockManager(
                store, settings().purgeIdleAfter(Duration.ofDays(7)).build());
        // The first run comes within 10 s of the start, at a random point; it fails and is logged, never thrown.
        await().atMost(Duration.ofSeconds(15)).until(() -> store.purges.get() >= 1);
        assertThat(store.purgedOn.get().getName()).startsWith("leasehold-purge-");
        assertThat(store.purgedOn.get().isDaemon()).isTrue();
        manager.close();
        Thread purger = store.purgedOn.get();
        await().atMost(Duration.ofSeconds(5)).until(() -> !purger.isAlive());
    }

    @Test
    void aClosedManagerRefusesToPurge() {
        LeaseLockManager manager =
                new LeaseLockManager(new InMemoryLeaseStore(), settings().build());
        manager.close();

        assertThatThrownBy(() -> manager.purgeIdle(Duration.ofDays(1)))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("is closed");
    }
}

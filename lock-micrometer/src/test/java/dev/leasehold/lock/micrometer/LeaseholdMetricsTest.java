package dev.leasehold.lock.micrometer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.jdbc.JdbcLockManager;
import dev.leasehold.lock.testing.DatabaseKind;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestDatabases;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The meters after a known sequence of acquires, contention, releases, renewals and a loss, on real managers: the
 * {@code memory} backend, and {@code jdbc} on PostgreSQL.
 */
class LeaseholdMetricsTest {

    /**
     * Long enough that a pause of the test machine does not let "c" expire between renewals: a second lease found gone
     * would break the counts the test asserts (it did once, with 900 ms, on a loaded machine).
     */
    private static final Duration LEASE_TIME = Duration.ofSeconds(3);

    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    @Test
    void memoryBackendMetersAfterAKnownSequence() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        LeaseholdMetrics metrics = LeaseholdMetrics.listener(registry);
        try (LockManager first = memory(store, metrics, LEASE_TIME);
                LockManager second = memory(store, metrics, LEASE_TIME)) {
            sequence(first, second, "memory", lease -> store.release(lease.name(), first.ownerId(), lease.token()));
        }
        // Closing released the one lease still held.
        assertThat(counter(LeaseholdMetrics.RELEASES, "memory")).isEqualTo(2);
        assertThat(gauge("memory")).isZero();
    }

    @Test
    void jdbcOnPostgresqlMetersAfterAKnownSequence() {
        TestDatabase db = TestDatabases.get(DatabaseKind.POSTGRESQL);
        String prefix = db.uniquePrefix("metrics");
        LeaseholdMetrics metrics = LeaseholdMetrics.listener(registry);
        try (JdbcLockManager first = jdbc(db, prefix, metrics);
                JdbcLockManager second = jdbc(db, prefix, metrics)) {
            sequence(first, second, "jdbc", lease -> second.forceRelease(lease.name()));
        } finally {
            db.dropTablesWithPrefix(prefix);
        }
        assertThat(counter(LeaseholdMetrics.RELEASES, "jdbc")).isEqualTo(2);
        assertThat(gauge("jdbc")).isZero();
    }

    /** An administrator's release, as each backend does it. */
    interface AdminRelease {
        void release(Lease lease) throws Exception;
    }

    /**
     * first acquires "a"; second finds it held twice (once waiting); first releases it; first acquires "b" and "c";
     * "b" is released by an administrator and lost at its next renewal; "c" stays held.
     */
    private void sequence(LockManager first, LockManager second, String backend, AdminRelease admin) {
        Lease a = first.lock("a").tryAcquire().orElseThrow();
        assertThat(second.lock("a").tryAcquire()).isEmpty();
        assertThatThrownBy(() -> second.lock("a").acquire(Duration.ofMillis(150)))
                .isInstanceOf(LockAlreadyHeldException.class);
        assertThat(gauge(backend)).isEqualTo(1);
        a.release();
        Lease b = first.lock("b").acquire();
        first.lock("c").tryAcquire().orElseThrow();
        assertThat(gauge(backend)).isEqualTo(2);

        try {
            admin.release(b);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        await().atMost(Duration.ofSeconds(10))
                .until(() -> counter(LeaseholdMetrics.LEASES_LOST, backend, "reason", "released_by_admin") == 1);

        assertThat(counter(LeaseholdMetrics.ACQUIRE, backend, "outcome", "acquired"))
                .isEqualTo(3);
        assertThat(counter(LeaseholdMetrics.ACQUIRE, backend, "outcome", "held"))
                .isEqualTo(2);
        assertThat(counter(LeaseholdMetrics.ACQUIRE, backend, "outcome", "error"))
                .isZero();
        assertThat(registry.get(LeaseholdMetrics.ACQUIRE_WAIT)
                        .tags(LeaseholdMetrics.BACKEND_TAG, backend, "outcome", "held")
                        .timer()
                        .max(TimeUnit.MILLISECONDS))
                .isGreaterThanOrEqualTo(140);
        assertThat(counter(LeaseholdMetrics.RELEASES, backend)).isEqualTo(1);
        assertThat(registry.get(LeaseholdMetrics.LEASE_HELD)
                        .tags(LeaseholdMetrics.BACKEND_TAG, backend, "ended", "released")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(LeaseholdMetrics.LEASE_HELD)
                        .tags(LeaseholdMetrics.BACKEND_TAG, backend, "ended", "lost")
                        .timer()
                        .count())
                .isEqualTo(1);
        assertThat(counter(LeaseholdMetrics.RENEWALS, backend, "outcome", "gone"))
                .isEqualTo(1);
        // The gauge of held leases may follow the loss counter by an instant: wait for it rather than race it.
        await().atMost(Duration.ofSeconds(10)).until(() -> gauge(backend) == 1);
        await().atMost(Duration.ofSeconds(10))
                .until(() -> counter(LeaseholdMetrics.RENEWALS, backend, "outcome", "renewed") >= 1);
        assertThat(registry.find(LeaseholdMetrics.ACQUIRE)
                        .tagKeys(LeaseholdMetrics.LOCK_TAG)
                        .meters())
                .as("no lock name tag by default")
                .isEmpty();
    }

    @Test
    void theLockNameTagIsThereWhenAskedFor() {
        MetricsOptions options = MetricsOptions.builder()
                .lockNameTag(true)
                .waitHistogram(true)
                .commonTags(Tags.of("app", "billing"))
                .build();
        try (LockManager m = Locks.builder()
                .backend("memory")
                .resource(new InMemoryLeaseStore())
                .listener(LeaseholdMetrics.listener(registry, options))
                .build()) {
            m.lock("invoice-42").tryAcquire().orElseThrow().release();
        }
        assertThat(registry.get(LeaseholdMetrics.RELEASES)
                        .tags("backend", "memory", "lock", "invoice-42", "app", "billing")
                        .counter()
                        .count())
                .isEqualTo(1);
        assertThat(registry.get(LeaseholdMetrics.LEASES_HELD)
                        .tags("lock", "invoice-42")
                        .gauge()
                        .value())
                .isZero();
    }

    @Test
    void badArgumentsAreRejectedNamingThem() {
        assertThatThrownBy(() -> LeaseholdMetrics.listener(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("registry must not be null");
        assertThatThrownBy(() -> LeaseholdMetrics.listener(registry, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("options must not be null");
        assertThatThrownBy(() -> MetricsOptions.builder().commonTags(Tags.of(Tag.of("backend", "x"))))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("'backend'");
    }

    private static LockManager memory(InMemoryLeaseStore store, LeaseholdMetrics metrics, Duration leaseTime) {
        return Locks.builder()
                .backend("memory")
                .resource(store)
                .leaseTime(leaseTime)
                .listener(metrics)
                .build();
    }

    private static JdbcLockManager jdbc(TestDatabase db, String prefix, LeaseholdMetrics metrics) {
        return (JdbcLockManager) Locks.builder()
                .dataSource(db.dataSource())
                .backend("jdbc")
                .tablePrefix(prefix)
                .leaseTime(LEASE_TIME)
                .listener(metrics)
                .build();
    }

    private double counter(String name, String backend, String... tags) {
        var found = registry.find(name)
                .tags(LeaseholdMetrics.BACKEND_TAG, backend)
                .tags(tags)
                .counter();
        return found == null ? 0 : found.count();
    }

    private double gauge(String backend) {
        return registry.get(LeaseholdMetrics.LEASES_HELD)
                .tags(LeaseholdMetrics.BACKEND_TAG, backend)
                .gauge()
                .value();
    }
}

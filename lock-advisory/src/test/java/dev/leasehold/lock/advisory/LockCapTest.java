package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The cap on advisory locks per manager (B5, case 29): an acquire beyond it fails at once with a clear exception and
 * leaves nothing locked; PostgreSQL's own "out of shared memory" (53200) is surfaced and never retried.
 */
class LockCapTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("LockCapTest");

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    @Test
    void anAcquireBeyondTheCapFailsClearlyAndLeavesNothingLocked() throws Exception {
        String base = "cap-" + System.nanoTime() + "-";
        try (TestPool pool = DB.newPool("adv-cap", 4);
                AdvisoryLockManager capped = AdvisoryLockManager.create(
                        pool,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(30))
                                .property(AdvisoryOptions.MAX_LOCKS_PROPERTY, "3")
                                .retry(RetryOptions.of(3, Duration.ofMillis(10)))
                                .build());
                TestPool otherPool = DB.newPool("adv-cap-other", 4);
                AdvisoryLockManager other = AdvisoryLockManager.create(
                        otherPool,
                        TestSupport.settings(PREFIX, Duration.ofSeconds(30)).build())) {
            assertThat(capped.options().maxLocks()).isEqualTo(3);
            List<Lease> leases = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                leases.add(capped.lock(base + i).tryAcquire().orElseThrow());
            }
            String fourth = base + 3;
            assertThatThrownBy(() -> capped.lock(fourth).tryAcquire())
                    .isInstanceOfSatisfying(LockBackendException.class, e -> {
                        assertThat(e.lockName()).contains(fourth);
                        assertThat(e.sqlState()).isEmpty();
                    })
                    .hasMessageContaining("already holds 3 advisory locks")
                    .hasMessageContaining("leasehold.advisory.maxLocks = 3");
            assertThatThrownBy(() -> capped.lock(fourth).acquire()).isInstanceOf(LockBackendException.class);
            assertThat(TestSupport.holdersOf(capped.keyOf(fourth))).isEmpty();
            assertThat(capped.inspect(fourth)).isEmpty();
            assertThat(capped.lock(fourth).isHeld()).isFalse();
            other.lock(fourth).tryAcquire().orElseThrow().release();

            leases.remove(0).release();
            Lease now = capped.lock(fourth).tryAcquire().orElseThrow(() -> new AssertionError("room after a release"));
            now.release();
            leases.forEach(Lease::release);
        }
    }

    @Test
    void outOfSharedMemoryIsSurfacedAndNeverRetried() throws Exception {
        String name = "shared-memory-" + System.nanoTime();
        AtomicInteger failures = new AtomicInteger();
        AtomicBoolean full = new AtomicBoolean();
        try (TestPool pool = DB.newPool("adv-53200", 4)) {
            var failing = Doubles.failingStatements(
                    pool,
                    sql -> full.get() && sql.contains("pg_try_advisory_lock(p.k)"),
                    new SQLException("out of shared memory", "53200"),
                    failures);
            try (AdvisoryLockManager manager = AdvisoryLockManager.create(
                    failing,
                    TestSupport.settings(PREFIX, Duration.ofSeconds(30))
                            .retry(RetryOptions.of(5, Duration.ofMillis(10)))
                            .build())) {
                Lease held = manager.lock(name + "-held").tryAcquire().orElseThrow();
                int session = TestSupport.sessionHolding(manager.keyOf(held.name()));
                full.set(true);
                assertThatThrownBy(() -> manager.lock(name).acquire())
                        .isInstanceOfSatisfying(
                                LockBackendException.class,
                                e -> assertThat(e.sqlState()).contains("53200"))
                        .hasMessageContaining("shared lock table is full")
                        .hasMessageContaining("max_locks_per_transaction");
                assertThat(failures).as("attempts").hasValue(1);
                assertThat(TestSupport.holdersOf(manager.keyOf(name))).isEmpty();
                assertThat(held.isValid())
                        .as("the session survives, and its lease")
                        .isTrue();
                assertThat(TestSupport.holdersOf(manager.keyOf(held.name())))
                        .as("the session survives")
                        .containsExactly(session);
                full.set(false);
                held.release();
            }
        }
    }
}

package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.Locks;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The two takeover policies after a holder's session ended with its lease unexpired: {@link Takeover#IMMEDIATE} takes
 * the lock at once, {@link Takeover#AFTER_EXPIRY} waits for the row to expire by the database clock, as the lease table
 * does.
 */
class TakeoverTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("TakeoverTest");

    private final List<AutoCloseable> resources = new ArrayList<>();

    @AfterEach
    void closeResources() throws Exception {
        for (int i = resources.size() - 1; i >= 0; i--) {
            resources.get(i).close();
        }
    }

    @AfterAll
    static void dropTables() {
        DB.dropTablesWithPrefix(PREFIX);
    }

    private final Map<AdvisoryLockManager, TestPool> pools = new HashMap<>();

    private AdvisoryLockManager manager(Duration lease, Takeover takeover) {
        TestPool pool = DB.newPool("adv-takeover", 4);
        resources.add(pool);
        AdvisoryLockManager manager = TestSupport.manager(
                pool,
                TestSupport.settings(PREFIX, lease).build(),
                AdvisoryOptions.builder().takeover(takeover).build(),
                resources);
        pools.put(manager, pool);
        return manager;
    }

    private void crash(AdvisoryLockManager manager) throws SQLException {
        TestSupport.crash(manager, pools.get(manager));
    }

    @Test
    void immediateTakeoverTakesACrashedHoldersUnexpiredLeaseAtOnce() throws Exception {
        AdvisoryLockManager crashed = manager(Duration.ofSeconds(30), Takeover.IMMEDIATE);
        AdvisoryLockManager next = manager(Duration.ofSeconds(30), Takeover.IMMEDIATE);
        String name = "immediate-" + System.nanoTime();
        Lease lost = crashed.lock(name).tryAcquire().orElseThrow();
        crash(crashed);
        // The server frees the crashed session's locks as soon as it sees the connection close: wait for that.
        long start = System.nanoTime();
        Lease taken = next.lock(name).acquire(Duration.ofSeconds(1));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
        assertThat(taken.token()).isEqualTo(lost.token() + 1);
        assertThat(next.inspect(name)).map(LockInfo::ownerId).contains(next.ownerId());
        taken.release();
    }

    @Test
    void afterExpiryTakeoverWaitsForTheRowToExpire() throws Exception {
        Duration lease = Duration.ofMillis(1500);
        AdvisoryLockManager crashed = manager(lease, Takeover.AFTER_EXPIRY);
        AdvisoryLockManager next = manager(Duration.ofSeconds(30), Takeover.AFTER_EXPIRY);
        String name = "after-expiry-" + System.nanoTime();
        Lease lost = crashed.lock(name).tryAcquire().orElseThrow();
        Instant expiry = crashed.inspect(name).orElseThrow().expiresAt();
        crash(crashed);
        assertThat(next.lock(name).tryAcquire()).as("the row has not expired").isEmpty();

        long start = System.nanoTime();
        Lease taken = next.lock(name).acquire(Duration.ofSeconds(5));
        Duration waited = Duration.ofNanos(System.nanoTime() - start);
        LockInfo info = next.inspect(name).orElseThrow();
        assertThat(info.acquiredAt()).as("granted after the old expiry").isAfterOrEqualTo(expiry);
        assertThat(waited).isLessThan(lease.plusSeconds(1));
        assertThat(taken.token()).isGreaterThan(lost.token());
        taken.release();
    }

    @Test
    void theTakeoverPolicyCanBeSetAsAProperty() {
        try (TestPool pool = DB.newPool("adv-property", 4);
                LockManager manager = Locks.builder()
                        .dataSource(pool)
                        .backend("advisory")
                        .tablePrefix(PREFIX)
                        .property(AdvisoryOptions.TAKEOVER_PROPERTY, "after-expiry")
                        .build()) {
            assertThat(manager).isInstanceOf(AdvisoryLockManager.class);
            assertThat(((AdvisoryLockManager) manager).options().takeover()).isEqualTo(Takeover.AFTER_EXPIRY);
        }
    }
}

package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.tck.Crashes;
import dev.leasehold.lock.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 acceptance: two names forced onto one advisory key (a test hook) stay two correct locks. The collision only
 * serialises them (liveness); every grant is still decided on the full name's row, tokens stay per name, and a
 * session that holds the key for one name never takes over the other's unexpired row.
 */
class HashCollisionTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("HashCollisionTest");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final long key = ThreadLocalRandom.current().nextLong();
    private final String a = "collide-a-" + System.nanoTime();
    private final String b = "collide-b-" + System.nanoTime();

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

    private AdvisoryLockManager manager(Duration lease) {
        HikariDataSource pool = DB.newPool("adv-collide", 4);
        resources.add(pool);
        AdvisoryLockManager manager = AdvisoryLockManager.create(
                pool, TestSupport.settings(PREFIX, lease).build());
        resources.add(manager);
        TestSupport.storeOf(manager).keys().forceKeyForTests(a, key);
        TestSupport.storeOf(manager).keys().forceKeyForTests(b, key);
        assertThat(manager.keyOf(a)).isEqualTo(manager.keyOf(b));
        return manager;
    }

    @Test
    void twoNamesOnOneKeyStayTwoCorrectLocks() throws Exception {
        AdvisoryLockManager first = manager(Duration.ofSeconds(30));
        AdvisoryLockManager second = manager(Duration.ofSeconds(30));

        Lease la = first.lock(a).tryAcquire().orElseThrow();
        Lease lb = first.lock(b).tryAcquire().orElseThrow(() -> new AssertionError("the same session stacks the key"));
        assertThat(first.inspect(a)).map(LockInfo::name).contains(a);
        assertThat(first.inspect(b)).map(LockInfo::name).contains(b);
        int firstSession = TestSupport.storeOf(first).sessionPid().orElseThrow();
        assertThat(TestSupport.holdersOf(key)).containsExactly(firstSession);

        assertThat(second.lock(a).tryAcquire()).isEmpty();
        assertThat(second.lock(b).tryAcquire()).isEmpty();

        la.release();
        assertThat(first.inspect(a)).isEmpty();
        assertThat(lb.isValid()).isTrue();
        assertThat(first.inspect(b)).map(LockInfo::token).contains(lb.token());
        assertThat(TestSupport.holdersOf(key)).as("still held for b").containsExactly(firstSession);
        assertThat(second.lock(a).tryAcquire()).as("a collision costs liveness").isEmpty();

        lb.release();
        assertThat(TestSupport.holdersOf(key)).isEmpty();
        Lease sa = second.lock(a).tryAcquire().orElseThrow();
        Lease sb = second.lock(b).tryAcquire().orElseThrow();
        assertThat(sa.token()).isGreaterThan(la.token());
        assertThat(sb.token()).isGreaterThan(lb.token());
        assertThat(second.inspect(a)).map(LockInfo::ownerId).contains(second.ownerId());
        assertThat(second.inspect(b)).map(LockInfo::ownerId).contains(second.ownerId());
        sa.release();
        sb.release();
        assertThat(TestSupport.holdersOf(key)).isEmpty();
    }

    @Test
    void aStackedKeyNeverTakesOverTheOtherNamesUnexpiredRow() throws Exception {
        Duration shortLease = Duration.ofMillis(1500);
        AdvisoryLockManager crashed = manager(shortLease);
        AdvisoryLockManager survivor = manager(Duration.ofSeconds(30));
        Lease ca = crashed.lock(a).tryAcquire().orElseThrow();
        Lease cb = crashed.lock(b).tryAcquire().orElseThrow();
        Crashes.abandon(crashed);
        TestSupport.storeOf(crashed).crashForTests();

        // The key is free: the first name is taken over at once (its holder's session is gone) ...
        Lease sa = survivor.lock(a).acquire(Duration.ofSeconds(1));
        assertThat(sa.token()).isGreaterThan(ca.token());
        // ... but the second name comes through a key this session already holds, which proves nothing about
        // its row's holder: it waits for the row to expire.
        assertThat(survivor.lock(b).tryAcquire()).isEmpty();
        Lease sb = survivor.lock(b).acquire(Duration.ofSeconds(5));
        assertThat(sb.token()).isGreaterThan(cb.token());
        sa.release();
        sb.release();
    }
}

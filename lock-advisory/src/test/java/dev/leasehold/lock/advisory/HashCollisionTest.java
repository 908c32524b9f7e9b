package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.testing.TestDatabase;
import dev.leasehold.lock.testing.TestPool;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 acceptance: two names on one advisory key stay two correct locks. The names are two spellings of one text
 * ({@code é} precomposed, and {@code e} with a combining accent): keys are derived from the NFC form, so they share a
 * key as colliding hashes would, while their rows stay apart. The collision only serialises them (liveness); every
 * grant is still decided on the full name's row, tokens stay per name, and a session that holds the key for one name
 * never takes over the other's unexpired row.
 */
class HashCollisionTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("HashCollisionTest");

    private final List<AutoCloseable> resources = new ArrayList<>();
    private final String suffix = "-" + System.nanoTime();
    private final String a = "collide-caf\u00e9" + suffix;
    private final String b = "collide-cafe\u0301" + suffix;
    private long key;

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
        return manager(DB.newPool("adv-collide", 4), lease);
    }

    private AdvisoryLockManager manager(HikariDataSource pool, Duration lease) {
        resources.add(pool);
        AdvisoryLockManager manager = TestSupport.manager(
                pool, TestSupport.settings(PREFIX, lease).build(), AdvisoryOptions.defaults(), resources);
        assertThat(manager.keyOf(a)).as("one key for both names").isEqualTo(manager.keyOf(b));
        key = manager.keyOf(a);
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
        int firstSession = TestSupport.sessionHolding(key);
        assertThat(TestSupport.advisoryLocksHeldBy(firstSession))
                .as("one lock, taken twice")
                .isEqualTo(1);

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
        TestPool crashedPool = DB.newPool("adv-collide", 4);
        AdvisoryLockManager crashed = manager(crashedPool, shortLease);
        AdvisoryLockManager survivor = manager(Duration.ofSeconds(30));
        Lease ca = crashed.lock(a).tryAcquire().orElseThrow();
        Lease cb = crashed.lock(b).tryAcquire().orElseThrow();
        TestSupport.crash(crashed, crashedPool);

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

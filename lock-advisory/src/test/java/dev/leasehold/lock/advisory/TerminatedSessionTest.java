package dev.leasehold.lock.advisory;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariDataSource;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.testing.TestDatabase;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Issue 4 acceptance: {@code pg_terminate_backend} on a holder's session. The holder is told within the documented
 * bound (liveness interval 500 ms + 100 ms + a round trip; asserted at 1 s), long before its next heartbeat (10 s);
 * extend and release throw {@link LockExpiredException}; the next holder's token is larger; and nothing reconnects with
 * the old token.
 */
class TerminatedSessionTest {

    private static final TestDatabase DB = TestSupport.pg();
    private static final String PREFIX = DB.uniquePrefix("TerminatedSessionTest");
    private static final Duration LEASE = Duration.ofSeconds(30);

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

    private AdvisoryLockManager manager() {
        HikariDataSource pool = DB.newPool("adv-term", 4);
        resources.add(pool);
        LockSettings settings = TestSupport.settings(PREFIX, LEASE).build();
        AdvisoryLockManager manager = AdvisoryLockManager.create(pool, settings);
        resources.add(manager);
        return manager;
    }

    @Test
    void aTerminatedSessionLosesItsLeasesWithinTheLivenessBoundAndTheNextTokenIsLarger() throws Exception {
        AdvisoryLockManager holder = manager();
        AdvisoryLockManager next = manager();
        String name = "terminated-" + System.nanoTime();
        String other = name + "-other";
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        Lease second = holder.lock(other).tryAcquire().orElseThrow();
        AtomicLong lostAt = new AtomicLong();
        AtomicInteger told = new AtomicInteger();
        AtomicReference<LockExpiredException> reason = new AtomicReference<>();
        lease.onLost(e -> {
            lostAt.compareAndSet(0, System.nanoTime());
            told.incrementAndGet();
            reason.set(e);
        });
        AtomicInteger secondTold = new AtomicInteger();
        second.onLost(e -> secondTold.incrementAndGet());
        int pid = TestSupport.sessionHolding(holder.keyOf(name));

        long terminatedAt = System.nanoTime();
        assertThat(TestSupport.terminate(pid)).isTrue();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(5)).until(() -> told.get() == 1);
        Duration detection = Duration.ofNanos(lostAt.get() - terminatedAt);
        System.out.println("pg_terminate_backend -> onLost: " + detection.toMillis() + " ms");
        assertThat(detection).as("time to onLost").isLessThan(Duration.ofSeconds(1));
        await().atMost(Duration.ofSeconds(1)).until(() -> secondTold.get() == 1);
        assertThat(reason.get().getMessage()).contains("session ended").contains("57P01");
        assertThat(lease.isValid()).isFalse();
        assertThat(holder.lock(name).isHeld()).isFalse();

        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> lease.extend(LEASE)).isInstanceOf(LockExpiredException.class);
            assertThatThrownBy(lease::release).isInstanceOf(LockExpiredException.class);
        }

        Lease taken = next.lock(name).acquire(Duration.ofSeconds(1));
        assertThat(taken.token()).isGreaterThan(lease.token());
        assertThat(told).hasValue(1);

        // The holder's manager works on: a new session, new grants, never the old token.
        taken.release();
        Lease again = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(again.token()).isGreaterThan(taken.token());
        assertThat(TestSupport.sessionHolding(holder.keyOf(name))).isNotEqualTo(pid);
        again.release();
    }

    @Test
    void aSessionThatEndedWhileHoldingNothingIsReplacedOnTheNextAcquire() throws Exception {
        AdvisoryLockManager manager = manager();
        String name = "idle-terminated-" + System.nanoTime();
        // The session is the backend holding a lease; once the lease is released, it holds nothing and stays.
        Lease first = manager.lock(name + "-first").tryAcquire().orElseThrow();
        int pid = TestSupport.sessionHolding(manager.keyOf(first.name()));
        first.release();
        TestSupport.terminate(pid);
        await().atMost(Duration.ofSeconds(5)).until(() -> !TestSupport.isConnected(pid));
        Lease lease = manager.lock(name).tryAcquire().orElseThrow();
        assertThat(TestSupport.sessionHolding(manager.keyOf(name))).isNotEqualTo(pid);
        lease.release();
    }
}

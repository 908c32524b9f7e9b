package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStoreEvents;
import java.io.IOException;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.Deque;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** How the engine treats store failures: transient ones by SQLState are retried, the rest fail at once. */
class StoreFailureTest {

    /** The reference store with scripted failures per operation. */
    static final class ScriptedStore extends ForwardingLeaseStore {
        final InMemoryLeaseStore memory;
        final Deque<SQLException> acquireFailures = new ArrayDeque<>();
        final AtomicInteger acquireCalls = new AtomicInteger();
        volatile boolean loseReplyOnce;
        /** Set: each acquire answers only after this long, with the store's clock held back by as much. */
        volatile Duration slowReply;

        volatile LockEventsTest.MovableClock clock;
        volatile SQLException renewFailure;
        volatile SQLException releaseFailure;
        volatile LeaseStoreEvents events;

        ScriptedStore() {
            this(new InMemoryLeaseStore());
        }

        private ScriptedStore(InMemoryLeaseStore memory) {
            super(memory);
            this.memory = memory;
        }

        @Override
        public void attach(LeaseStoreEvents events) {
            this.events = events;
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            acquireCalls.incrementAndGet();
            SQLException failure;
            synchronized (acquireFailures) {
                failure = acquireFailures.poll();
            }
            if (failure != null) {
                throw failure;
            }
            Optional<LeaseGrant> grant = super.tryAcquire(name, owner, leaseTime);
            Duration slow = slowReply;
            if (slow != null) {
                // A reply that takes this long to arrive, while the store's time stands still: the grant is still held
                // in the store when the reply arrives, but the engine's own clock has moved on.
                long until = System.nanoTime() + slow.toNanos();
                try {
                    for (long left = slow.toNanos(); left > 0; left = until - System.nanoTime()) {
                        TimeUnit.NANOSECONDS.sleep(left);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new SQLException("interrupted", "08006", e);
                }
                clock.advance(slow.negated());
            }
            if (loseReplyOnce && grant.isPresent()) {
                loseReplyOnce = false;
                throw new SQLException("connection reset after commit", "08006");
            }
            return grant;
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            SQLException failure = renewFailure;
            if (failure != null) {
                throw failure;
            }
            return super.renewAll(owner, leases, leaseTime);
        }

        @Override
        public boolean release(String name, String owner, long token) throws SQLException {
            SQLException failure = releaseFailure;
            if (failure != null) {
                throw failure;
            }
            return super.release(name, owner, token);
        }
    }

    private final ScriptedStore store = new ScriptedStore();
    private final LockManager manager = new LeaseLockManager(
            store,
            LockSettings.builder()
                    .leaseTime(Duration.ofSeconds(1))
                    .retry(RetryOptions.none())
                    .ownerId("failing")
                    .build());

    @AfterEach
    void close() {
        store.releaseFailure = null;
        store.renewFailure = null;
        manager.close();
    }

    @Test
    void transientFailuresOfAnAcquireAreRetried() {
        store.acquireFailures.add(new SQLException("connection refused", "08001"));
        store.acquireFailures.add(new SQLException("could not serialize access", "40001"));
        store.acquireFailures.add(new SQLException("deadlock detected", "40P01"));
        Lease lease = manager.lock("transient").tryAcquire().orElseThrow();
        assertThat(store.acquireCalls).hasValue(4);
        assertThat(lease.isValid()).isTrue();
        lease.release();
    }

    @Test
    void otherFailuresFailAtOnceWithTheirSqlState() {
        store.acquireFailures.add(new SQLException("relation does not exist", "42P01"));
        assertThatThrownBy(() -> manager.lock("missing-table").tryAcquire())
                .isInstanceOfSatisfying(LockBackendException.class, e -> {
                    assertThat(e.sqlState()).contains("42P01");
                    assertThat(e.lockName()).contains("missing-table");
                    assertThat(e.getCause()).isInstanceOf(SQLException.class);
                })
                .hasMessageContaining("SQLState 42P01")
                .hasMessageContaining("not retried");
        assertThat(store.acquireCalls).hasValue(1);
        assertThat(manager.lock("missing-table").isHeld()).isFalse();
        assertThat(store.memory.inspect("missing-table")).isEmpty();
    }

    @Test
    void transientFailuresThatPersistGiveUpAfterFiveRetries() {
        for (int i = 0; i < 10; i++) {
            store.acquireFailures.add(new SQLException("connection lost", "08006"));
        }
        assertThatThrownBy(() -> manager.lock("down").tryAcquire())
                .isInstanceOfSatisfying(
                        LockBackendException.class,
                        e -> assertThat(e.sqlState()).contains("08006"))
                .hasMessageContaining("persisted through the retries");
        assertThat(store.acquireCalls).hasValue(6);
    }

    /** A restart longer than a store call's own retries: a waiter with time left waits it out and then acquires. */
    @Test
    void aWaitingAcquireWaitsOutAnOutageLongerThanItsStoreRetries() {
        for (int i = 0; i < 20; i++) {
            store.acquireFailures.add(new SQLException("connection refused", "08001"));
        }
        Lease lease = manager.lock("outage").acquire(Duration.ofSeconds(30));
        assertThat(store.acquireCalls).hasValue(21);
        assertThat(lease.isValid()).isTrue();
        lease.release();
    }

    /** When the wait's time runs out during the outage, the transient failure is what the caller gets. */
    @Test
    void aWaitThatRunsOutDuringAnOutageFailsWithTheTransientFailure() {
        for (int i = 0; i < 1_000; i++) {
            store.acquireFailures.add(new SQLException("connection refused", "08001"));
        }
        long start = System.nanoTime();
        assertThatThrownBy(() -> manager.lock("outage-forever").acquire(Duration.ofMillis(500)))
                .isInstanceOfSatisfying(
                        LockBackendException.class,
                        e -> assertThat(e.sqlState()).contains("08001"));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(5));
        synchronized (store.acquireFailures) {
            store.acquireFailures.clear();
        }
    }

    @Test
    void aRowLockNotAvailableDuringAnAcquireMeansHeldAndIsNotRetried() {
        store.acquireFailures.add(new SQLException("canceling statement due to lock timeout", "55P03"));
        assertThat(manager.lock("busy-row").tryAcquire()).isEmpty();
        assertThat(store.acquireCalls).hasValue(1);
        store.acquireFailures.add(new SQLException("Lock wait timeout exceeded", "HY000", 1205));
        assertThat(manager.lock("busy-row").tryAcquire()).isEmpty();
        assertThat(store.acquireCalls).hasValue(2);
        assertThat(manager.lock("busy-row").tryAcquire()).isPresent();
    }

    @Test
    void anAcquireWithADeadlineStartsNoRetryOfATransientFailureAfterIt() {
        for (int i = 0; i < 10; i++) {
            store.acquireFailures.add(new SQLException("connection refused", "08001"));
        }
        assertThatThrownBy(() -> manager.lock("down").acquire(Duration.ZERO))
                .isInstanceOfSatisfying(
                        LockBackendException.class,
                        e -> assertThat(e.sqlState()).contains("08001"));
        assertThat(store.acquireCalls).as("attempts with no time left to retry").hasValue(1);
    }

    /**
     * A row this manager released with a minimum hold still names it as owner while the hold lasts. When it fails: a
     * later attempt of the same manager whose first try failed transiently took that row for a grant whose reply was
     * lost, and so ran again inside its own minimum hold, with the old token.
     */
    @Test
    void aRowHeldAfterReleaseIsNeverAdoptedAsALostReply() {
        Lease first = manager.lock("held-after-release").tryAcquire().orElseThrow();
        first.release(Duration.ofSeconds(30));
        assertThat(store.memory.inspect("held-after-release").orElseThrow().ownerId())
                .isEqualTo(manager.ownerId());

        store.acquireFailures.add(new SQLException("serialization failure", "40001"));
        Optional<Lease> again = manager.lock("held-after-release").tryAcquire();

        assertThat(again).as("a grant inside the minimum hold").isEmpty();
        assertThat(store.memory.inspect("held-after-release").orElseThrow().token())
                .isEqualTo(first.token());
    }

    @Test
    void aGrantWhoseReplyWasLostIsAdoptedNotLeftToExpire() {
        store.loseReplyOnce = true;
        Lease lease = manager.lock("lost-reply").tryAcquire().orElseThrow();
        LockInfo holder = store.memory.inspect("lost-reply").orElseThrow();
        assertThat(holder.ownerId()).isEqualTo(manager.ownerId());
        assertThat(lease.token()).isEqualTo(holder.token()).isEqualTo(1);
        assertThat(lease.isValid()).isTrue();
        lease.release();
        assertThat(store.memory.inspect("lost-reply")).isEmpty();
    }

    /** A store over a clock the test holds back, and a manager on it with a short lease time. */
    private static LeaseLockManager slowManager(ScriptedStore slow) {
        return new LeaseLockManager(
                slow,
                LockSettings.builder()
                        .leaseTime(SHORT_LEASE)
                        .heartbeatInterval(SHORT_LEASE.dividedBy(3))
                        .retry(RetryOptions.none())
                        .ownerId("slow")
                        .build());
    }

    private static final Duration SHORT_LEASE = Duration.ofMillis(200);

    private static ScriptedStore slowStore() {
        LockEventsTest.MovableClock clock = new LockEventsTest.MovableClock();
        ScriptedStore slow = new ScriptedStore(new InMemoryLeaseStore(clock));
        slow.clock = clock;
        return slow;
    }

    @Test
    void aGrantWhoseReplyArrivesAfterItsLeaseTimeIsGivenBack() {
        ScriptedStore slow = slowStore();
        try (LeaseLockManager m = slowManager(slow)) {
            slow.slowReply = SHORT_LEASE;

            assertThat(m.lock("late").tryAcquire()).isEmpty();

            assertThat(slow.memory.inspect("late"))
                    .as("the late grant was released")
                    .isEmpty();
        }
    }

    @Test
    void anAdoptedGrantCountsItsLeaseTimeFromTheRenewalThatAdoptedIt() {
        ScriptedStore slow = slowStore();
        try (LeaseLockManager m = slowManager(slow)) {
            slow.loseReplyOnce = true;
            slow.slowReply = SHORT_LEASE;

            // The grant's reply is lost, and the retry's refusal (held, by this owner) arrives a lease time late: only
            // the renewal that adopts the grant, not the retry, starts its lease time.
            Lease lease = m.lock("adopted").tryAcquire().orElseThrow();

            assertThat(lease.isValid()).isTrue();
            assertThat(slow.memory.inspect("adopted").map(LockInfo::ownerId)).contains("slow");
        }
    }

    @Test
    void aNonTransientRenewalFailureLosesTheLeaseAtOnce() {
        Lease lease = manager.lock("renewal-error").tryAcquire().orElseThrow();
        AtomicReference<LockExpiredException> lost = new AtomicReference<>();
        lease.onLost(lost::set);
        store.renewFailure = new SQLException("permission denied", "42501");
        await().atMost(Duration.ofSeconds(1)).until(() -> lost.get() != null);
        assertThat(lost.get().getCause())
                .isInstanceOfSatisfying(
                        LockBackendException.class,
                        e -> assertThat(e.sqlState()).contains("42501"));
        assertThat(lease.isValid()).isFalse();
    }

    @Test
    void aReleaseThatFailsReportsTheFailureAndStopsRenewing() {
        Lease lease = manager.lock("release-error").tryAcquire().orElseThrow();
        store.releaseFailure = new SQLException("disk full", "53100");
        assertThatThrownBy(lease::release)
                .isInstanceOfSatisfying(
                        LockBackendException.class,
                        e -> assertThat(e.sqlState()).contains("53100"));
        assertThat(lease.isValid()).isFalse();
        store.releaseFailure = null;
        lease.release();
        Instant expiry = store.memory.inspect("release-error").orElseThrow().expiresAt();
        await().atMost(Duration.ofSeconds(3))
                .until(() -> store.memory.inspect("release-error").isEmpty());
        assertThat(expiry).isBefore(Instant.now());
    }

    @Test
    void aStoreThatReportsAllLeasesLostLosesThemAtOnce() {
        Lease a = manager.lock("session-a").tryAcquire().orElseThrow();
        Lease b = manager.lock("session-b").tryAcquire().orElseThrow();
        AtomicInteger told = new AtomicInteger();
        a.onLost(e -> told.incrementAndGet());
        b.onLost(e -> told.incrementAndGet());
        SQLException cause = new SQLException("terminating connection due to administrator command", "57P01");
        store.events.allLeasesLost("the session that held them ended", cause);
        assertThat(told).hasValue(2);
        assertThat(a.isValid()).isFalse();
        assertThat(b.isValid()).isFalse();
        assertThatThrownBy(a::release)
                .isInstanceOf(LockExpiredException.class)
                .hasMessageContaining("the session that held them ended");
        assertThat(manager.lock("session-a").tryAcquire())
                .as("not reserved here any more, but held in the store until it expires")
                .isEmpty();
    }

    /**
     * Kotlin, Groovy or Lombok's {@code @SneakyThrows} can throw a checked exception through {@code Consumer} and
     * {@link LockListener}, which declare none. Such a failure must be contained like any other: the lease's other
     * listeners are told, and the heartbeat goes on to find the next loss.
     */
    @Test
    void listenersThatThrowCheckedExceptionsStopNeitherTheOthersNorTheHeartbeat() throws Exception {
        LockListener sneaky = new LockListener() {
            @Override
            public void leaseLost(LockEvents.LeaseLost event) {
                throw sneakyThrow(new IOException("listener in another JVM language"));
            }
        };
        try (LeaseLockManager m = new LeaseLockManager(
                store,
                LockSettings.builder()
                        .leaseTime(Duration.ofSeconds(1))
                        .retry(RetryOptions.none())
                        .ownerId("sneaky")
                        .listener(sneaky)
                        .build())) {
            Lease first = m.lock("first").tryAcquire().orElseThrow();
            Lease second = m.lock("second").tryAcquire().orElseThrow();
            AtomicInteger toldFirst = new AtomicInteger();
            AtomicInteger toldSecond = new AtomicInteger();
            first.onLost(e -> {
                        throw sneakyThrow(new IOException("onLost in another JVM language"));
                    })
                    .onLost(e -> toldFirst.incrementAndGet());
            second.onLost(e -> toldSecond.incrementAndGet());

            assertThat(store.memory.release("first", m.ownerId(), first.token()))
                    .isTrue();
            await().atMost(Duration.ofSeconds(2)).until(() -> toldFirst.get() == 1);
            assertThat(store.memory.release("second", m.ownerId(), second.token()))
                    .isTrue();
            await().atMost(Duration.ofSeconds(2)).until(() -> toldSecond.get() == 1);
        }
    }

    /** Throws {@code failure}, checked or not, without declaring it (as code in other JVM languages can). */
    @SuppressWarnings("unchecked")
    private static <E extends Throwable> RuntimeException sneakyThrow(Throwable failure) throws E {
        throw (E) failure;
    }

    @Test
    void aListenerThatThrowsDoesNotStopTheOthers() throws Exception {
        Lease lease = manager.lock("listeners").tryAcquire().orElseThrow();
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> {
                    throw new IllegalStateException("listener bug");
                })
                .onLost(e -> told.incrementAndGet());
        assertThat(store.memory.release("listeners", manager.ownerId(), lease.token()))
                .isTrue();
        await().atMost(Duration.ofSeconds(2)).until(() -> told.get() == 1);
        assertThat(lease.isValid()).isFalse();
    }
}

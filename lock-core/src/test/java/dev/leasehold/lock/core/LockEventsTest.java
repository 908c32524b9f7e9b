package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockEvents.AcquireOutcome;
import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockEvents.RenewalOutcome;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockListener;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStoreEvents;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The engine's events ({@link LockListener}): each acquire call's outcome, each lease acquired, released or lost with
 * its reason, each heartbeat renewal, told exactly once, with the lock's and the backend's name; a listener that throws
 * changes nothing for the caller.
 */
class LockEventsTest {

    /** Every event, in order. */
    static final class Recorder implements LockListener {
        final List<Object> events = new CopyOnWriteArrayList<>();

        @Override
        public void acquireAttempted(LockEvents.AcquireAttempt event) {
            events.add(event);
        }

        @Override
        public void leaseAcquired(LockEvents.LeaseAcquired event) {
            events.add(event);
        }

        @Override
        public void leaseReleased(LockEvents.LeaseReleased event) {
            events.add(event);
        }

        @Override
        public void renewed(LockEvents.Renewal event) {
            events.add(event);
        }

        @Override
        public void leaseLost(LockEvents.LeaseLost event) {
            events.add(event);
        }

        <T> List<T> of(Class<T> type) {
            return events.stream().filter(type::isInstance).map(type::cast).toList();
        }
    }

    /** A "database clock" the test moves forward, so that a lease expires in the store before its local deadline. */
    static final class MovableClock extends Clock {
        private final AtomicReference<Instant> now = new AtomicReference<>(Instant.now());

        void advance(Duration by) {
            now.updateAndGet(t -> t.plus(by));
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now.get().plus(Duration.ofNanos(System.nanoTime() - START));
        }

        private static final long START = System.nanoTime();
    }

    /** The reference store with scripted failures and access to the engine's store events. */
    static final class ScriptedStore extends ForwardingLeaseStore {
        volatile SQLException acquireFailure;
        volatile SQLException renewFailure;
        volatile SQLException inspectFailure;
        volatile LeaseStoreEvents attached;
        final AtomicInteger acquireCalls = new AtomicInteger();

        ScriptedStore(InMemoryLeaseStore data) {
            super(data);
        }

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) throws SQLException {
            acquireCalls.incrementAndGet();
            SQLException failure = acquireFailure;
            if (failure != null) {
                throw failure;
            }
            return super.tryAcquire(name, owner, leaseTime);
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
        public Optional<LockInfo> inspect(String name) throws SQLException {
            SQLException failure = inspectFailure;
            if (failure != null) {
                throw failure;
            }
            return super.inspect(name);
        }

        @Override
        public void attach(LeaseStoreEvents events) {
            attached = events;
        }
    }

    private final MovableClock clock = new MovableClock();
    private final InMemoryLeaseStore data = new InMemoryLeaseStore(clock);
    private final List<LeaseLockManager> managers = new CopyOnWriteArrayList<>();

    @AfterEach
    void closeManagers() {
        managers.forEach(LeaseLockManager::close);
    }

    private LeaseLockManager manager(ScriptedStore store, LockSettings.Builder settings) {
        LeaseLockManager m = new LeaseLockManager(store, settings.build());
        managers.add(m);
        return m;
    }

    private LeaseLockManager manager(Recorder recorder, Duration leaseTime) {
        return manager(new ScriptedStore(data), memory(recorder).leaseTime(leaseTime));
    }

    /** Settings of the backend named "memory", telling {@code recorder}. */
    private static LockSettings.Builder memory(Recorder recorder) {
        return LockSettings.builder().backend("memory").listener(recorder);
    }

    /** Waits until {@code recorder} is told of a loss, and checks that it is the only one, for {@code reason}. */
    private static void awaitTheOneLoss(Recorder recorder, LossReason reason) {
        await().atMost(Duration.ofSeconds(5))
                .until(() -> !recorder.of(LockEvents.LeaseLost.class).isEmpty());
        assertThat(recorder.of(LockEvents.LeaseLost.class))
                .singleElement()
                .extracting(LockEvents.LeaseLost::reason)
                .isEqualTo(reason);
    }

    @Test
    void anAcquireAndReleaseAreToldOnceEachWithTheBackendAndTimeHeld() {
        Recorder recorder = new Recorder();
        LeaseLockManager m = manager(recorder, Duration.ofSeconds(30));
        long start = System.nanoTime();

        Lease lease = m.lock("orders").tryAcquire().orElseThrow();
        long token = lease.token();
        lease.release();
        lease.release(); // a second release does nothing, and tells nothing
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertThat(recorder.events).hasSize(3);
        assertThat(recorder.events.get(0)).isEqualTo(new LockEvents.LeaseAcquired("memory", "orders", token));
        LockEvents.AcquireAttempt attempt = (LockEvents.AcquireAttempt) recorder.events.get(1);
        assertThat(attempt.backend()).isEqualTo("memory");
        assertThat(attempt.lockName()).isEqualTo("orders");
        assertThat(attempt.outcome()).isEqualTo(AcquireOutcome.ACQUIRED);
        assertThat(attempt.sqlState()).isEmpty();
        assertThat(attempt.waited()).isBetween(Duration.ZERO, elapsed);
        LockEvents.LeaseReleased released = (LockEvents.LeaseReleased) recorder.events.get(2);
        assertThat(released.lockName()).isEqualTo("orders");
        assertThat(released.token()).isEqualTo(token);
        assertThat(released.heldFor()).isBetween(Duration.ZERO, elapsed);
    }

    @Test
    void contentionIsHeldAndAWaitThatRunsOutTellsHowLongItWaited() {
        Recorder recorder = new Recorder();
        LeaseLockManager holder = manager(new Recorder(), Duration.ofSeconds(30));
        LeaseLockManager contender = manager(recorder, Duration.ofSeconds(30));
        holder.lock("orders").tryAcquire().orElseThrow();

        assertThat(contender.lock("orders").tryAcquire()).isEmpty();
        assertThatThrownBy(() -> contender.lock("orders").acquire(Duration.ofMillis(200)))
                .isInstanceOf(LockAlreadyHeldException.class);

        List<LockEvents.AcquireAttempt> attempts = recorder.of(LockEvents.AcquireAttempt.class);
        assertThat(attempts)
                .extracting(LockEvents.AcquireAttempt::outcome)
                .containsExactly(AcquireOutcome.HELD, AcquireOutcome.HELD);
        assertThat(attempts.get(1).waited()).isGreaterThanOrEqualTo(Duration.ofMillis(190));
        assertThat(recorder.of(LockEvents.LeaseAcquired.class)).isEmpty();
    }

    @Test
    void aWaitingAcquireIsOneAttemptHoweverOftenItRetries() throws Exception {
        Recorder recorder = new Recorder();
        LeaseLockManager holder = manager(new Recorder(), Duration.ofSeconds(30));
        ScriptedStore waiterStore = new ScriptedStore(data);
        LeaseLockManager waiter = manager(
                waiterStore,
                memory(recorder).retry(RetryOptions.waitUpTo(Duration.ofSeconds(10), Duration.ofMillis(20))));
        Lease held = holder.lock("orders").tryAcquire().orElseThrow();
        CompletableFuture<Lease> waiting =
                CompletableFuture.supplyAsync(() -> waiter.lock("orders").acquire());
        await().atMost(Duration.ofSeconds(5)).until(() -> waiterStore.acquireCalls.get() >= 3);
        held.release();

        waiting.get(10, TimeUnit.SECONDS).release();

        assertThat(recorder.of(LockEvents.AcquireAttempt.class))
                .singleElement()
                .extracting(LockEvents.AcquireAttempt::outcome)
                .isEqualTo(AcquireOutcome.ACQUIRED);
        assertThat(recorder.of(LockEvents.LeaseAcquired.class)).hasSize(1);
        assertThat(recorder.of(LockEvents.LeaseReleased.class)).hasSize(1);
    }

    @Test
    void aDatabaseErrorIsToldWithItsSqlStateAndAReentrantAcquireIsNotToldAtAll() {
        Recorder recorder = new Recorder();
        ScriptedStore store = new ScriptedStore(data);
        LeaseLockManager m = manager(store, memory(recorder));

        store.acquireFailure = new SQLException("permission denied for table distributed_locks", "42501");
        assertThatThrownBy(() -> m.lock("orders").tryAcquire()).isInstanceOf(LockBackendException.class);
        store.acquireFailure = null;
        try (Lease lease = m.lock("orders").acquire()) {
            assertThatThrownBy(() -> m.lock("orders").acquire())
                    .isInstanceOf(LockAlreadyHeldException.class)
                    .matches(e -> ((LockAlreadyHeldException) e).heldByThisManager());
        }

        List<LockEvents.AcquireAttempt> attempts = recorder.of(LockEvents.AcquireAttempt.class);
        assertThat(attempts)
                .extracting(LockEvents.AcquireAttempt::outcome)
                .containsExactly(AcquireOutcome.ERROR, AcquireOutcome.ACQUIRED);
        assertThat(attempts.get(0).sqlState()).contains("42501");
    }

    @Test
    void heartbeatRenewalsAreToldAsRenewed() {
        Recorder recorder = new Recorder();
        LeaseLockManager m = manager(recorder, Duration.ofMillis(300));
        m.lock("orders").tryAcquire().orElseThrow();

        await().atMost(Duration.ofSeconds(5))
                .until(() -> recorder.of(LockEvents.Renewal.class).size() >= 3);

        assertThat(recorder.of(LockEvents.Renewal.class))
                .allSatisfy(r ->
                        assertThat(r).isEqualTo(new LockEvents.Renewal("memory", "orders", RenewalOutcome.RENEWED)));
        assertThat(recorder.of(LockEvents.LeaseLost.class)).isEmpty();
    }

    @Test
    void aLeaseAnotherOwnerTookOverIsLostAsTakenOver() {
        Recorder recorder = new Recorder();
        LeaseLockManager first = manager(recorder, Duration.ofSeconds(1));
        LeaseLockManager second = manager(new Recorder(), Duration.ofSeconds(30));
        CountDownLatch told = new CountDownLatch(1);
        first.lock("orders").tryAcquire().orElseThrow().onLost(e -> told.countDown());

        clock.advance(Duration.ofSeconds(2)); // the store's lease expires long before the local deadline
        second.lock("orders").tryAcquire().orElseThrow();

        await().atMost(Duration.ofSeconds(5)).until(() -> told.getCount() == 0);
        LockEvents.LeaseLost lost = recorder.of(LockEvents.LeaseLost.class).get(0);
        assertThat(lost.reason()).isEqualTo(LossReason.TAKEN_OVER);
        assertThat(recorder.of(LockEvents.LeaseLost.class)).hasSize(1);
        assertThat(recorder.of(LockEvents.Renewal.class))
                .extracting(LockEvents.Renewal::outcome)
                .containsExactly(RenewalOutcome.GONE);
    }

    @Test
    void aLeaseSomeoneElseReleasedIsLostAsReleasedByAdmin() {
        Recorder recorder = new Recorder();
        LeaseLockManager m = manager(recorder, Duration.ofSeconds(1));
        Lease lease = m.lock("orders").tryAcquire().orElseThrow();

        assertThat(data.release("orders", m.ownerId(), lease.token())).isTrue(); // as an administrator's force release

        awaitTheOneLoss(recorder, LossReason.RELEASED_BY_ADMIN);
        assertThatThrownBy(lease::release).isInstanceOf(LockExpiredException.class);
        assertThat(recorder.of(LockEvents.LeaseReleased.class)).isEmpty();
    }

    @Test
    void aLeaseFoundGoneWhenTheStoreCannotSayWhoHoldsItIsLostAsTakenOver() {
        Recorder recorder = new Recorder();
        ScriptedStore store = new ScriptedStore(data);
        LeaseLockManager m = manager(store, memory(recorder).leaseTime(Duration.ofSeconds(1)));
        Lease lease = m.lock("orders").tryAcquire().orElseThrow();
        store.inspectFailure = new SQLException("syntax error on purpose", "42601");

        assertThat(data.release("orders", m.ownerId(), lease.token())).isTrue();

        awaitTheOneLoss(recorder, LossReason.TAKEN_OVER);
    }

    @Test
    void renewalsThatKeepFailingTransientlyEndInExpired() {
        Recorder recorder = new Recorder();
        ScriptedStore store = new ScriptedStore(data);
        LeaseLockManager m = manager(store, memory(recorder).leaseTime(Duration.ofMillis(400)));
        m.lock("orders").tryAcquire().orElseThrow();

        store.renewFailure = new SQLException("connection refused", "08001");

        awaitTheOneLoss(recorder, LossReason.EXPIRED);
        assertThat(recorder.of(LockEvents.Renewal.class))
                .extracting(LockEvents.Renewal::outcome)
                .contains(RenewalOutcome.FAILED_TRANSIENTLY)
                .doesNotContain(RenewalOutcome.GONE, RenewalOutcome.FAILED);
    }

    @Test
    void aRenewalFailureThatIsNotTransientIsLostAsRenewalFailed() {
        Recorder recorder = new Recorder();
        ScriptedStore store = new ScriptedStore(data);
        LeaseLockManager m = manager(store, memory(recorder).leaseTime(Duration.ofMillis(300)));
        store.renewFailure = new SQLException("permission denied", "42501");
        m.lock("orders").tryAcquire().orElseThrow();

        awaitTheOneLoss(recorder, LossReason.RENEWAL_FAILED);
        assertThat(recorder.of(LockEvents.Renewal.class))
                .extracting(LockEvents.Renewal::outcome)
                .containsExactly(RenewalOutcome.FAILED);
    }

    @Test
    void theStoreSayingAllAreLostLosesEachLeaseOnceAsAllLost() {
        Recorder recorder = new Recorder();
        ScriptedStore store = new ScriptedStore(data);
        LeaseLockManager m = manager(store, memory(recorder));
        m.lock("a").tryAcquire().orElseThrow();
        m.lock("b").tryAcquire().orElseThrow();

        store.attached.allLeasesLost("the session ended", null);
        store.attached.allLeasesLost("the session ended", null);

        assertThat(recorder.of(LockEvents.LeaseLost.class))
                .extracting(LockEvents.LeaseLost::lockName, LockEvents.LeaseLost::reason)
                .containsExactlyInAnyOrder(tuple("a", LossReason.ALL_LOST), tuple("b", LossReason.ALL_LOST));
    }

    @Test
    void closeReleasesHeldLeasesAndLosesWorkThatOutlivesTheDrainAsManagerClosed() throws Exception {
        Recorder recorder = new Recorder();
        LeaseLockManager m = manager(new ScriptedStore(data), memory(recorder).drainTimeout(Duration.ZERO));
        m.lock("idle").tryAcquire().orElseThrow();
        CountDownLatch working = new CountDownLatch(1);
        CountDownLatch finish = new CountDownLatch(1);
        CompletableFuture<Void> work = CompletableFuture.runAsync(() -> {
            try {
                m.lock("busy").runLocked(lease -> {
                    working.countDown();
                    finish.await(10, TimeUnit.SECONDS);
                });
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        assertThat(working.await(5, TimeUnit.SECONDS)).isTrue();

        m.close();
        finish.countDown();
        assertThatThrownBy(() -> work.get(5, TimeUnit.SECONDS)).hasCauseInstanceOf(LockExpiredException.class);

        assertThat(recorder.of(LockEvents.LeaseReleased.class))
                .extracting(LockEvents.LeaseReleased::lockName)
                .containsExactly("idle");
        assertThat(recorder.of(LockEvents.LeaseLost.class))
                .extracting(LockEvents.LeaseLost::lockName, LockEvents.LeaseLost::reason)
                .containsExactly(tuple("busy", LossReason.MANAGER_CLOSED));
    }

    @Test
    void aListenerThatThrowsChangesNothingForTheCallerOrTheOtherListeners() {
        Recorder recorder = new Recorder();
        LockListener broken = new LockListener() {
            @Override
            public void leaseAcquired(LockEvents.LeaseAcquired event) {
                throw new IllegalStateException("broken listener");
            }

            @Override
            public void leaseReleased(LockEvents.LeaseReleased event) {
                throw new AssertionError("broken listener");
            }
        };
        LeaseLockManager m = manager(
                new ScriptedStore(data),
                LockSettings.builder().backend("memory").listener(broken).listener(recorder));

        Lease lease = m.lock("orders").tryAcquire().orElseThrow();
        assertThat(lease.isValid()).isTrue();
        lease.release();

        assertThat(recorder.events).hasSize(3);
        assertThat(m.lock("orders").tryAcquire()).isPresent();
    }

    @Test
    void withoutANamedBackendTheStoreClassNamesIt() {
        Recorder recorder = new Recorder();
        LeaseLockManager m =
                manager(new ScriptedStore(data), LockSettings.builder().listener(recorder));

        m.lock("orders").tryAcquire().orElseThrow().release();

        assertThat(recorder.of(LockEvents.LeaseAcquired.class))
                .singleElement()
                .extracting(LockEvents.LeaseAcquired::backend)
                .isEqualTo("ScriptedStore");
    }

    @Test
    void aNullListenerIsRejectedNamingTheArgument() {
        assertThatThrownBy(() -> LockSettings.builder().listener(null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("listener must not be null");
    }
}

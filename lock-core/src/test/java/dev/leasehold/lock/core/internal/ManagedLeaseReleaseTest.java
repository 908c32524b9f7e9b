package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A lease while and after it is released: a listener registered during the release is told if the release finds the
 * lease gone, a lost lease tells a new listener at once, a release the store fails still ends the lease, and a release
 * with a hold the store cannot do leaves the lease renewed by the heartbeat.
 */
class ManagedLeaseReleaseTest {

    private final TestTimes env = TestTimes.fromEnvironment();

    /**
     * The reference store. A release (with or without a hold) answers only when the test lets it; a release with a
     * hold then fails as the test says, if it says so. Renewals are counted per name.
     */
    private static final class GatedStore extends ForwardingLeaseStore {
        final InMemoryLeaseStore inner;
        final CountDownLatch releasing = new CountDownLatch(1);
        final CountDownLatch answer = new CountDownLatch(1);
        volatile Exception holdFailure;
        final Map<String, AtomicInteger> renewals = new ConcurrentHashMap<>();

        GatedStore(InMemoryLeaseStore inner) {
            super(inner);
            this.inner = inner;
        }

        @Override
        public boolean release(String name, String owner, long token) throws SQLException {
            awaitAnswer();
            return super.release(name, owner, token);
        }

        @Override
        public boolean releaseAfter(String name, String owner, long token, Duration minHold) throws SQLException {
            awaitAnswer();
            Exception failure = holdFailure;
            if (failure instanceof SQLException sql) {
                throw sql;
            }
            if (failure instanceof RuntimeException runtime) {
                throw runtime;
            }
            return super.releaseAfter(name, owner, token, minHold);
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            leases.forEach(k -> renewals(k.name()).incrementAndGet());
            return super.renewAll(owner, leases, leaseTime);
        }

        AtomicInteger renewals(String name) {
            return renewals.computeIfAbsent(name, k -> new AtomicInteger());
        }

        /** A statement in flight: it answers when the test lets it (or after ten minutes, if the test failed). */
        private void awaitAnswer() {
            releasing.countDown();
            try {
                answer.await(10, TimeUnit.MINUTES);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private final GatedStore store = new GatedStore(new InMemoryLeaseStore());
    private Engine engine;

    @AfterEach
    void close() {
        store.answer.countDown();
        if (engine != null) {
            engine.close();
        }
    }

    private Engine engine(Duration leaseTime, Duration heartbeat) {
        engine = new Engine(
                store,
                LockSettings.builder()
                        .ownerId("me")
                        .leaseTime(leaseTime)
                        .heartbeatInterval(heartbeat)
                        .retry(RetryOptions.none())
                        .build(),
                null);
        return engine;
    }

    private ManagedLease acquire(String name) {
        return engine.attempt(name, LockConfig.of(engine.settings(), LockOptions.defaults()))
                .orElseThrow();
    }

    @Test
    void aListenerRegisteredDuringAReleaseIsToldWhenTheReleaseFindsTheLeaseGone() throws Exception {
        engine(Duration.ofMinutes(3), Duration.ofMinutes(1));
        ManagedLease lease = acquire("a");
        CompletableFuture<Void> release = CompletableFuture.runAsync(lease::release);
        assertThat(store.releasing.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();
        assertThat(lease.state()).isEqualTo(ManagedLease.State.RELEASING);

        CompletableFuture<LockExpiredException> lost = new CompletableFuture<>();
        assertThat(lease.onLost(lost::complete)).isSameAs(lease);
        // Behind the manager's back, before the release reaches the store: the lease ends and another owner takes it.
        assertThat(store.inner.release("a", "me", lease.token())).isTrue();
        store.inner.tryAcquire("a", "other", Duration.ofMinutes(1)).orElseThrow();
        store.answer.countDown();

        assertThat(lost.get(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .hasMessageContaining("release found the lease gone");
        assertThat(release)
                .failsWithin(env.patience())
                .withThrowableThat()
                .withCauseInstanceOf(LockExpiredException.class);
    }

    @Test
    void aListenerRegisteredOnALostLeaseIsToldAtOnce() throws Exception {
        engine(Duration.ofMinutes(3), Duration.ofMinutes(1));
        ManagedLease lease = acquire("a");
        LockExpiredException cause = lease.lose(LossReason.EXPIRED, "test", null);
        AtomicInteger told = new AtomicInteger();

        assertThat(lease.onLost(e -> {
                    assertThat(e).isSameAs(cause);
                    told.incrementAndGet();
                }))
                .isSameAs(lease);
        assertThat(told).hasValue(1);
    }

    @Test
    void aReleaseWithAHoldThatTheStoreFailsStillEndsTheLeaseAndLeavesTheHeartbeat() throws Exception {
        engine(Duration.ofMinutes(3), Duration.ofMinutes(1));
        ManagedLease lease = acquire("a");
        store.holdFailure = new SQLException("permission denied", "42501");
        store.answer.countDown();

        assertThatThrownBy(() -> lease.release(Duration.ofSeconds(1))).isInstanceOf(LockBackendException.class);

        // It expires by the database clock; here it is over, and the heartbeat (due a minute from now) has dropped it.
        assertThat(lease.state()).isEqualTo(ManagedLease.State.RELEASED);
        assertThat(engine.heldLeaseCount()).isZero();
    }

    @Test
    void aReleaseWithAHoldThatTheStoreCannotDoLeavesTheLeaseRenewed() throws Exception {
        // Long enough that the lease outlives a heartbeat tick and the unsupported release with room to spare.
        Duration leaseTime = env.leaseTime().multipliedBy(3);
        engine(leaseTime, leaseTime.dividedBy(3));
        ManagedLease lease = acquire("a");
        ManagedLease marker = acquire("marker");
        store.holdFailure = new UnsupportedOperationException("no minimum hold here");
        CompletableFuture<Void> release = CompletableFuture.runAsync(() -> lease.release(Duration.ofSeconds(1)));
        assertThat(store.releasing.await(env.patience().toMillis(), TimeUnit.MILLISECONDS))
                .isTrue();

        // A heartbeat tick while the lease is being released skips it, and drops the abandoned marker: once the
        // marker is gone, such a tick has run, and nothing else has the heartbeat come back for the lease.
        marker.abandon();
        await().atMost(env.patience()).until(() -> engine.heldLeaseCount() == 1);
        int renewalsBefore = store.renewals("a").get();
        store.answer.countDown();
        assertThat(release)
                .failsWithin(env.patience())
                .withThrowableThat()
                .withCauseInstanceOf(UnsupportedOperationException.class);

        // The store changed nothing: the lease is held again, and the heartbeat renews it.
        assertThat(lease.state()).isEqualTo(ManagedLease.State.HELD);
        await().atMost(env.patience()).until(() -> store.renewals("a").get() > renewalsBefore);
        assertThat(lease.isValid()).isTrue();
    }
}

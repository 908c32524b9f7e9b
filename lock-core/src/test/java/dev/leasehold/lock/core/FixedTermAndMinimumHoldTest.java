package dev.leasehold.lock.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.core.LockEventsTest.Recorder;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.LeaseStore;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * The engine's side of fixed-term leases and minimum holds: what the heartbeat leaves alone, what the listeners are
 * told, and what a store without {@code releaseAfter} leads to.
 */
class FixedTermAndMinimumHoldTest {

    /** The reference store, recording the names the heartbeat renews (it always renews through renewAll). */
    static final class RenewalRecorder extends ForwardingLeaseStore {
        final Set<String> renewedNames = ConcurrentHashMap.newKeySet();
        final AtomicInteger batches = new AtomicInteger();

        RenewalRecorder() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public Map<String, Instant> renewAll(String owner, Collection<LeaseKey> leases, Duration leaseTime)
                throws SQLException {
            batches.incrementAndGet();
            leases.forEach(k -> renewedNames.add(k.name()));
            return super.renewAll(owner, leases, leaseTime);
        }
    }

    /** A store that implements only what a LeaseStore must: releaseAfter keeps its default. */
    static final class WithoutReleaseAfter implements LeaseStore {
        private final InMemoryLeaseStore data = new InMemoryLeaseStore();

        @Override
        public Optional<LeaseGrant> tryAcquire(String name, String owner, Duration leaseTime) {
            return data.tryAcquire(name, owner, leaseTime);
        }

        @Override
        public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) {
            return data.renew(name, owner, token, leaseTime);
        }

        @Override
        public boolean release(String name, String owner, long token) {
            return data.release(name, owner, token);
        }

        @Override
        public Optional<LockInfo> inspect(String name) {
            return data.inspect(name);
        }
    }

    private static LockSettings.Builder settings(Duration leaseTime) {
        return LockSettings.builder().backend("memory").leaseTime(leaseTime);
    }

    @Test
    void aFixedTermLeaseIsNeverRenewedNotEvenInAnotherLeasesBatchAndIsLostAtItsEnd() {
        RenewalRecorder store = new RenewalRecorder();
        Recorder events = new Recorder();
        try (LeaseLockManager manager = new LeaseLockManager(
                store, settings(Duration.ofMillis(300)).listener(events).build())) {
            Lease renewed = manager.lock("renewed").tryAcquire().orElseThrow();
            Lease fixed = manager.lock(
                            "fixed",
                            LockOptions.builder()
                                    .fixedTerm()
                                    .leaseTime(Duration.ofSeconds(1))
                                    .build())
                    .tryAcquire()
                    .orElseThrow();
            await().atMost(Duration.ofSeconds(5)).until(() -> !fixed.isValid());
            assertThat(store.batches.get())
                    .as("renewal batches while the fixed-term lease was held")
                    .isGreaterThan(2);
            assertThat(store.renewedNames).containsExactly("renewed");
            assertThat(renewed.isValid()).isTrue();
            assertThat(events.of(LockEvents.LeaseLost.class)).singleElement().satisfies(lost -> {
                assertThat(lost.lockName()).isEqualTo("fixed");
                assertThat(lost.reason()).isEqualTo(LossReason.EXPIRED);
            });
        }
    }

    @Test
    void extendKeepsAFixedTermLeaseOutOfTheHeartbeatAndAcceptsUpTo366Days() {
        RenewalRecorder store = new RenewalRecorder();
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings(Duration.ofMillis(300)).build())) {
            manager.lock("renewed").tryAcquire().orElseThrow();
            Lease fixed = manager.lock(
                            "fixed", LockOptions.builder().fixedTerm().build())
                    .tryAcquire()
                    .orElseThrow();
            fixed.extend(Duration.ofDays(366));
            assertThat(Duration.between(fixed.acquiredAt(), fixed.expiresAt())).isGreaterThan(Duration.ofDays(365));
            int before = store.batches.get();
            await().atMost(Duration.ofSeconds(5)).until(() -> store.batches.get() > before + 2);
            assertThat(store.renewedNames).doesNotContain("fixed");
            assertThat(fixed.isValid()).isTrue();
        }
    }

    @Test
    void aRenewedLeaseCannotBeExtendedBeyondOneDay() {
        try (LeaseLockManager manager = new LeaseLockManager(
                new InMemoryLeaseStore(), settings(Duration.ofSeconds(30)).build())) {
            Lease lease = manager.lock("renewed").tryAcquire().orElseThrow();
            assertThatThrownBy(() -> lease.extend(Duration.ofDays(2)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessageStartingWith("leaseTime")
                    .hasMessageContaining("fixedTerm()");
            assertThat(lease.isValid()).isTrue();
        }
    }

    @Test
    void aMinimumHoldReleaseIsAReleaseForTheListenersAndTheStoreKeepsTheHold() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        Recorder events = new Recorder();
        try (LeaseLockManager manager = new LeaseLockManager(
                store, settings(Duration.ofSeconds(30)).listener(events).build())) {
            Lease lease = manager.lock("job").tryAcquire().orElseThrow();
            lease.release(Duration.ofMinutes(5));
            assertThat(events.of(LockEvents.LeaseReleased.class))
                    .singleElement()
                    .satisfies(r -> assertThat(r.lockName()).isEqualTo("job"));
            assertThat(events.of(LockEvents.LeaseLost.class)).isEmpty();
            LockInfo held = store.inspect("job").orElseThrow();
            assertThat(held.token()).isEqualTo(lease.token());
            assertThat(held.expiresAt()).isEqualTo(lease.acquiredAt().plus(Duration.ofMinutes(5)));
            assertThat(manager.heldLeaseCount()).isZero();
        }
        assertThat(store.inspect("job")).as("after the manager closed").isPresent();
    }

    @Test
    void withLockReleasesWithTheLocksMinimumHold() {
        InMemoryLeaseStore store = new InMemoryLeaseStore();
        try (LeaseLockManager manager =
                new LeaseLockManager(store, settings(Duration.ofSeconds(30)).build())) {
            Instant acquiredAt = manager.lock(
                            "job",
                            LockOptions.builder().minHold(Duration.ofMinutes(1)).build())
                    .withLock(Lease::acquiredAt);
            assertThat(store.inspect("job"))
                    .hasValueSatisfying(
                            i -> assertThat(i.expiresAt()).isEqualTo(acquiredAt.plus(Duration.ofMinutes(1))));
        }
    }

    @Test
    void aStoreWithoutReleaseAfterRefusesAMinimumHoldAndTheLeaseStaysHeldAndRenewed() {
        try (LeaseLockManager manager = new LeaseLockManager(
                new WithoutReleaseAfter(), settings(Duration.ofMillis(300)).build())) {
            Lease lease = manager.lock("job").tryAcquire().orElseThrow();
            assertThatThrownBy(() -> lease.release(Duration.ofSeconds(1)))
                    .isInstanceOf(UnsupportedOperationException.class)
                    .hasMessageContaining("LeaseStore.releaseAfter");
            assertThat(lease.isValid()).isTrue();
            Instant expiry = lease.expiresAt();
            await().atMost(Duration.ofSeconds(5)).until(() -> lease.expiresAt().isAfter(expiry));
            assertThat(manager.inspect("job")).map(LockInfo::token).contains(lease.token());
            lease.release();
            assertThat(manager.inspect("job")).isEmpty();
        }
    }
}

package dev.leasehold.lock.core.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.memory.InMemoryLeaseStore;
import dev.leasehold.lock.spi.ForwardingLeaseStore;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.testing.TestTimes;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The bookkeeping of one lease: its local deadline and renewal schedule, the order of renewals, its states and the
 * lease time and heartbeat an extend leaves it with. The store is the reference store; the long default lease keeps
 * the heartbeat out of the way unless a test asks for it.
 */
class ManagedLeaseTest {

    private static final Duration LEASE = Duration.ofMinutes(3);
    private static final Duration HEARTBEAT = Duration.ofMinutes(1);

    /** The reference store; its renewals can be made slow, as a database under load answers late. */
    static final class SlowRenewals extends ForwardingLeaseStore {
        volatile Duration renewDelay = Duration.ZERO;

        SlowRenewals() {
            super(new InMemoryLeaseStore());
        }

        @Override
        public Optional<Instant> renew(String name, String owner, long token, Duration leaseTime) throws SQLException {
            try {
                // A deliberate, fixed delay: the answer arrives after the lease time asked for has passed.
                Thread.sleep(renewDelay.toMillis());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            return super.renew(name, owner, token, leaseTime);
        }
    }

    private final TestTimes env = TestTimes.fromEnvironment();
    private final SlowRenewals store = new SlowRenewals();
    private final LockSettings settings = LockSettings.builder()
            .ownerId("me")
            .leaseTime(LEASE)
            .heartbeatInterval(HEARTBEAT)
            .retry(RetryOptions.none())
            .build();
    private final Engine engine = new Engine(store, settings, null);
    private final LockConfig config = LockConfig.of(settings, LockOptions.defaults());

    @AfterEach
    void close() {
        engine.close();
    }

    private ManagedLease acquire(String name) {
        return engine.attempt(name, config).orElseThrow();
    }

    private ManagedLease unregistered(long sentAt) {
        Instant now = Instant.now();
        return new ManagedLease(engine, "a", new LeaseGrant(1, now, now), sentAt, config);
    }

    @Test
    void theDeadlineAndFirstRenewalCountFromTheRequest() throws Exception {
        long sentAt = System.nanoTime();
        ManagedLease lease = unregistered(sentAt);

        assertThat(lease.deadline()).isEqualTo(sentAt + LEASE.toNanos() - LockConfig.marginNanos(LEASE));
        assertThat(lease.nextRenewAt()).isEqualTo(sentAt + HEARTBEAT.toNanos());
        assertThat(lease.heartbeatNanos()).isEqualTo(HEARTBEAT.toNanos());
        assertThat(lease.leaseTime()).isEqualTo(LEASE);
    }

    @Test
    void theDeadlineItselfHasPassed() throws Exception {
        ManagedLease lease = unregistered(System.nanoTime());

        assertThat(lease.deadlinePassed(lease.deadline())).isTrue();
        assertThat(lease.deadlinePassed(lease.deadline() - 1)).isFalse();
    }

    @Test
    void aRenewalMovesTheScheduleFromItsOwnSendTime() throws Exception {
        long now = System.nanoTime();
        ManagedLease lease = unregistered(now - Duration.ofSeconds(1).toNanos());
        Instant expiry = Instant.now().plus(LEASE);

        assertThat(lease.renewed(now, LEASE, expiry)).isFalse();

        assertThat(lease.deadline()).isEqualTo(now + LEASE.toNanos() - LockConfig.marginNanos(LEASE));
        assertThat(lease.nextRenewAt()).isEqualTo(now + HEARTBEAT.toNanos());
        assertThat(lease.expiresAt()).isEqualTo(expiry);
    }

    @Test
    void aLateAnswerToAnOlderRenewalChangesNothing() throws Exception {
        long now = System.nanoTime();
        ManagedLease lease = unregistered(now - Duration.ofSeconds(2).toNanos());
        Instant newer = Instant.now().plus(LEASE);
        lease.renewed(now, LEASE, newer);
        long deadline = lease.deadline();

        assertThat(lease.renewed(now - Duration.ofSeconds(1).toNanos(), LEASE, newer.minusSeconds(1)))
                .isFalse();

        assertThat(lease.deadline()).isEqualTo(deadline);
        assertThat(lease.expiresAt()).isEqualTo(newer);
        assertThat(lease.state()).isEqualTo(ManagedLease.State.HELD);
    }

    @Test
    void aRenewalConfirmedAfterItsOwnDeadlineLosesTheLease() throws Exception {
        long longAgo = System.nanoTime() - Duration.ofSeconds(10).toNanos();
        ManagedLease lease = unregistered(longAgo);
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> told.incrementAndGet());

        assertThat(lease.renewed(longAgo + 1, Duration.ofSeconds(1), Instant.now()))
                .as("the grant must be given back")
                .isTrue();

        assertThat(lease.state()).isEqualTo(ManagedLease.State.LOST);
        assertThat(told).hasValue(1);
    }

    @Test
    void aRenewalAnsweredAfterALossAsksForTheGrantBackUnlessTheLeaseStaysInTheStore() throws Exception {
        ManagedLease lost = acquire("lost");
        lost.lose(LossReason.EXPIRED, "test", null);
        assertThat(lost.renewed(System.nanoTime(), LEASE, Instant.now())).isTrue();

        ManagedLease left = acquire("left");
        assertThat(left.loseLeavingInStore("test")).isTrue();
        assertThat(left.renewed(System.nanoTime(), LEASE, Instant.now())).isFalse();

        ManagedLease released = acquire("released");
        released.release();
        assertThat(released.renewed(System.nanoTime(), LEASE, Instant.now())).isFalse();
    }

    @Test
    void aLossIsAnnouncedOnceWithTheFirstReason() throws Exception {
        ManagedLease lease = acquire("a");
        AtomicInteger told = new AtomicInteger();
        assertThat(lease.onLost(e -> told.incrementAndGet())).isSameAs(lease);

        LockExpiredException first = lease.lose(LossReason.EXPIRED, "first", null);
        LockExpiredException second = lease.lose(LossReason.EXPIRED, "second", null);

        assertThat(first).hasMessageContaining("first");
        assertThat(second).isSameAs(first);
        assertThat(told).hasValue(1);
        assertThat(lease.loseLeavingInStore("again")).isFalse();
    }

    @Test
    void aLostLeaseLeavesTheHeartbeatAtOnce() throws Exception {
        ManagedLease lease = acquire("a");
        assertThat(engine.heldLeaseCount()).isEqualTo(1);

        lease.lose(LossReason.EXPIRED, "test", null);

        assertThat(engine.heldLeaseCount()).isZero();
        assertThat(engine.isHeld("a")).isFalse();
    }

    @Test
    void aReleasedLeaseIgnoresLossesAbandonAndClose() throws Exception {
        ManagedLease lease = acquire("a");
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> told.incrementAndGet());
        lease.release();

        assertThat(lease.lose(LossReason.EXPIRED, "late", null)).isNotNull();
        lease.abandon();
        assertThat(lease.beginCloseRelease()).isFalse();
        assertThat(lease.onLost(e -> told.incrementAndGet())).isSameAs(lease);

        assertThat(lease.state()).isEqualTo(ManagedLease.State.RELEASED);
        assertThat(told).hasValue(0);
    }

    @Test
    void closeMarksEveryHeldLeaseReleased() throws Exception {
        ManagedLease lease = acquire("a");

        engine.close();

        assertThat(lease.state()).isEqualTo(ManagedLease.State.RELEASED);
        assertThat(store.inspect("a")).isEmpty();
    }

    @Test
    void toStringNamesTheLeaseAndItsState() throws Exception {
        ManagedLease lease = acquire("named");

        assertThat(lease.toString()).contains("named", "token " + lease.token(), "owner me", "HELD");
    }

    @Test
    void extendOfAReleasedLeaseIsMisuse() throws Exception {
        ManagedLease lease = acquire("a");
        lease.release();

        assertThatThrownBy(() -> lease.extend(LEASE))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("released");
    }

    @Test
    void extendToALongerLeaseKeepsTheHeartbeat() throws Exception {
        ManagedLease lease = acquire("a");

        lease.extend(LEASE.multipliedBy(10));

        assertThat(lease.leaseTime()).isEqualTo(LEASE.multipliedBy(10));
        assertThat(lease.heartbeatNanos()).isEqualTo(HEARTBEAT.toNanos());
        assertThat(lease.io.isLocked()).as("left locked for the heartbeat").isFalse();
    }

    @Test
    void extendToALeaseNoLongerThanTheHeartbeatShortensTheHeartbeat() throws Exception {
        ManagedLease equal = acquire("equal");
        equal.extend(HEARTBEAT);
        assertThat(equal.leaseTime()).isEqualTo(HEARTBEAT);
        assertThat(equal.heartbeatNanos()).isEqualTo(HEARTBEAT.dividedBy(3).toNanos());

        ManagedLease shorter = acquire("shorter");
        shorter.extend(HEARTBEAT.dividedBy(2));
        assertThat(shorter.heartbeatNanos()).isEqualTo(HEARTBEAT.dividedBy(6).toNanos());
    }

    @Test
    void extendToAShortLeaseBringsTheNextRenewalForward() throws Exception {
        ManagedLease lease = acquire("a");

        lease.extend(env.leaseTime());
        Instant extended = store.inspect("a").map(LockInfo::expiresAt).orElseThrow();

        // The next renewal was a heartbeat of a minute away; the short lease needs one within its lease time.
        await().atMost(env.patience())
                .until(() -> store.inspect("a")
                        .map(LockInfo::expiresAt)
                        .filter(e -> e.isAfter(extended))
                        .isPresent());
        assertThat(lease.isValid()).isTrue();
    }

    @Test
    void extendAndReleaseOfALeaseTakenOverInTheStoreReportItLost() throws Exception {
        ManagedLease extended = acquire("extended");
        ManagedLease released = acquire("released");
        AtomicInteger told = new AtomicInteger();
        extended.onLost(e -> told.incrementAndGet());
        released.onLost(e -> told.incrementAndGet());
        for (ManagedLease lease : new ManagedLease[] {extended, released}) {
            // Behind the manager's back: the lease ends in the store and another owner takes the lock.
            assertThat(store.release(lease.name(), "me", lease.token())).isTrue();
            store.tryAcquire(lease.name(), "other", LEASE).orElseThrow();
        }

        assertThatThrownBy(() -> extended.extend(LEASE))
                .isInstanceOf(LockExpiredException.class)
                .hasMessageContaining("extend found the lease gone");
        assertThatThrownBy(released::release)
                .isInstanceOf(LockExpiredException.class)
                .hasMessageContaining("release found the lease gone");
        assertThat(told).hasValue(2);
    }

    @Test
    void aReleaseWithAHoldOfALeaseTakenOverInTheStoreReportsItLost() throws Exception {
        ManagedLease lease = acquire("held-release");
        // Behind the manager's back: the lease ends in the store and another owner takes the lock.
        assertThat(store.release(lease.name(), "me", lease.token())).isTrue();
        store.tryAcquire(lease.name(), "other", LEASE).orElseThrow();

        assertThatThrownBy(() -> lease.release(Duration.ofSeconds(1)))
                .isInstanceOf(LockExpiredException.class)
                .hasMessageContaining("release found the lease gone");
    }

    @Test
    void anExtendConfirmedAfterItsNewLeaseTimeLosesTheLeaseAndGivesItBack() throws Exception {
        ManagedLease lease = acquire("a");
        Duration shortLease = Duration.ofMillis(100);
        store.renewDelay = shortLease.multipliedBy(3);

        assertThatThrownBy(() -> lease.extend(shortLease))
                .isInstanceOf(LockExpiredException.class)
                .hasMessageContaining("confirmed only after");

        assertThat(lease.state()).isEqualTo(ManagedLease.State.LOST);
        assertThat(store.inspect("a")).as("given back").isEmpty();
    }
}

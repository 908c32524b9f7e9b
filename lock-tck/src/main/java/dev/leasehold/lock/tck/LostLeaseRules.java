package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockBackendException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.spi.LeaseStore;
import dev.leasehold.lock.spi.SqlFailures;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** Rules 5.x of SPEC.md: lost leases. */
public interface LostLeaseRules extends TckSuite {

    /** Makes the store drop the holder's lease (as an administrator would) and lets another manager take it. */
    private Lease takeOver(LockManager holder, Lease lease) throws Exception {
        LeaseStore store = tck().storeOf(holder);
        assertThat(store.release(lease.name(), holder.ownerId(), lease.token()))
                .as("release through the store by the holder's owner id and token")
                .isTrue();
        LockManager other = tck().manager();
        return other.lock(lease.name()).tryAcquire().orElseThrow(() -> new AssertionError("no takeover"));
    }

    /**
     * R5.1: a holder learns of a lost lease within a heartbeat. When it fails: renewal succeeds although the lease
     * belongs to someone else now (a renew not guarded by owner and token), or the engine ignores a failed renewal.
     */
    @Test
    default void required_r5_1_theHolderLearnsOfALostLeaseWithinAHeartbeat() throws Exception {
        LockManager holder = tck().manager();
        String name = tck().name("lost");
        DistributedLock lock = holder.lock(name);
        Lease lease = lock.tryAcquire().orElseThrow();
        AtomicInteger told = new AtomicInteger();
        AtomicReference<LockExpiredException> reason = new AtomicReference<>();
        lease.onLost(e -> {
            told.incrementAndGet();
            reason.set(e);
        });
        Lease taker = takeOver(holder, lease);
        long droppedAt = System.nanoTime();
        await().atMost(tck().env().heartbeat().plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(10))
                .untilAsserted(() -> assertThat(told).hasValue(1));
        assertThat(Duration.ofNanos(System.nanoTime() - droppedAt))
                .isLessThanOrEqualTo(tck().env().heartbeat().plus(tck().env().slack()));
        assertThat(lease.isValid()).isFalse();
        assertThat(lock.isHeld()).isFalse();
        assertThat(reason.get().token()).isEqualTo(lease.token());
        assertThat(reason.get().lockName()).contains(name);
        await().during(tck().env().heartbeat().multipliedBy(2))
                .atMost(tck().env().patience())
                .untilAsserted(() -> assertThat(told).hasValue(1));
        assertThat(taker.isValid()).isTrue();
        taker.release();
    }

    /**
     * R5.2: extend and release of a lost lease throw. When it fails: a lost lease is treated as released, or release
     * frees whatever row has the name.
     */
    @Test
    default void required_r5_2_extendAndReleaseOfALostLeaseThrow() throws Exception {
        LockManager holder = tck().manager();
        String name = tck().name("lost-throws");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        Lease taker = takeOver(holder, lease);
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !lease.isValid());
        for (int i = 0; i < 2; i++) {
            assertThatThrownBy(() -> lease.extend(tck().env().leaseTime()))
                    .isInstanceOfSatisfying(LockExpiredException.class, e -> {
                        assertThat(e.token()).isEqualTo(lease.token());
                        assertThat(e.lockName()).contains(name);
                    });
            assertThatThrownBy(lease::release).isInstanceOf(LockExpiredException.class);
            assertThatThrownBy(lease::close).isInstanceOf(LockExpiredException.class);
        }
        assertThat(taker.isValid()).isTrue();
        assertThat(holder.inspect(name))
                .hasValueSatisfying(i -> assertThat(i.token()).isEqualTo(taker.token()));
        taker.release();
    }

    /**
     * R5.3: every listener runs once; a late one runs at once. When it fails: listeners are kept after the loss, run
     * again, or a listener added late is never called.
     */
    @Test
    default void required_r5_3_listenersRunOnceAndLateListenersRunAtOnce() throws Exception {
        LockManager holder = tck().manager();
        Lease lease = holder.lock(tck().name("listeners")).tryAcquire().orElseThrow();
        AtomicInteger first = new AtomicInteger();
        AtomicInteger second = new AtomicInteger();
        lease.onLost(e -> first.incrementAndGet()).onLost(e -> second.incrementAndGet());
        Lease taker = takeOver(holder, lease);
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(10))
                .until(() -> first.get() == 1 && second.get() == 1);
        AtomicInteger late = new AtomicInteger();
        lease.onLost(e -> late.incrementAndGet());
        assertThat(late)
                .as("a listener added after the loss runs during onLost")
                .hasValue(1);
        await().during(tck().env().heartbeat().multipliedBy(2))
                .atMost(tck().env().patience())
                .until(() -> first.get() == 1 && second.get() == 1 && late.get() == 1);
        taker.release();
    }

    /**
     * R5.4: failing renewals lose the lease at its deadline. When it fails: the engine keeps a lease valid past its
     * local deadline while renewals fail, or never tells the listeners.
     */
    @Test
    default void required_r5_4_renewalsFailingUntilTheDeadlineLoseTheLease() {
        LockManager holder = tck().manager();
        Faults faults = tck().faultsOf(holder);
        long before = System.nanoTime();
        Lease lease = holder.lock(tck().name("failing-renewals")).tryAcquire().orElseThrow();
        faults.failRenewals();
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> told.incrementAndGet());
        Duration bound = tck().env().leaseTime().plus(tck().env().slack());
        await().atMost(bound).pollInterval(Duration.ofMillis(10)).until(() -> told.get() == 1);
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThanOrEqualTo(bound);
        assertThat(lease.isValid()).isFalse();
        assertThat(faults.renewAllCalls() + faults.renewCalls())
                .as("renewal attempts")
                .isPositive();
        faults.heal();
    }

    /**
     * R5.5: a short outage does not lose the lease. When it fails: a single failed renewal is taken as a loss instead
     * of being retried until the local deadline.
     */
    @Test
    default void required_r5_5_aShortRenewalOutageDoesNotLoseTheLease() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        Faults faults = tck().faultsOf(holder);
        String name = tck().name("short-outage");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> told.incrementAndGet());
        int before = faults.renewAllCalls() + faults.renewCalls();
        faults.failRenewals();
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(5))
                .until(() -> faults.renewAllCalls() + faults.renewCalls() > before);
        faults.heal();
        Duration span = tck().env().leaseTime().multipliedBy(2);
        await().during(span)
                .atMost(span.plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> lease.isValid() && told.get() == 0);
        assertThat(other.lock(name).tryAcquire()).isEmpty();
        lease.release();
    }

    /**
     * R5.6: a lost lock can be acquired again by the same manager. When it fails: the manager keeps the lost lease's
     * name reserved, and later acquires fail as "already held by this manager".
     */
    @Test
    default void required_r5_6_aLostLockCanBeAcquiredAgain() throws Exception {
        LockManager holder = tck().manager();
        String name = tck().name("again");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        Lease taker = takeOver(holder, lease);
        await().atMost(tck().env().patience())
                .pollInterval(Duration.ofMillis(10))
                .until(() -> !lease.isValid());
        taker.release();
        Lease again = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(again.token()).isGreaterThan(taker.token());
        again.release();
    }

    /**
     * R5.7: a transient failure inside the store keeps its SQLState and does not lose the lease early. When it fails:
     * the store wraps a database error in an exception without its {@link java.sql.SQLException} cause (the engine then
     * takes it as fatal and loses the lease), or catches the error and answers "lease gone" (an empty renew, a lease
     * missing from renewAll's answer), or the engine's {@link LockBackendException} lacks the SQLState.
     */
    @Test
    default void required_r5_7_aFailureInsideTheStoreKeepsItsSqlStateAndTheLease() throws Exception {
        LockManager holder = tck().manager();
        Faults calls = tck().faultsOf(holder);
        LeaseStore store = tck().storeOf(holder);
        String name = tck().name("inside-failure");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> told.incrementAndGet());
        try (AutoCloseable failure = tck().failInsideStore(holder)) {
            int before = calls.renewAllCalls() + calls.renewCalls();
            assertThatThrownBy(() -> store.renew(
                            name, holder.ownerId(), lease.token(), tck().env().leaseTime()))
                    .as("a renewal while the store's connections fail")
                    .satisfies(e -> assertThat(SqlFailures.isTransient(e))
                            .as("%s has a transient SQLException in its cause chain", e)
                            .isTrue());
            await().atMost(tck().env().patience())
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> calls.renewAllCalls() + calls.renewCalls() > before);
        }
        Duration span = tck().env().leaseTime().plus(tck().env().heartbeat());
        await().during(span)
                .atMost(span.plus(tck().env().slack()))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> lease.isValid() && told.get() == 0);
        assertThat(tck().manager().lock(name).tryAcquire())
                .as("a grant of the held lock")
                .isEmpty();
        lease.release();

        try (AutoCloseable failure = tck().failInsideStore(holder)) {
            assertThatThrownBy(() -> holder.inspect(name))
                    .isInstanceOfSatisfying(
                            LockBackendException.class,
                            e -> assertThat(e.sqlState())
                                    .as("the SQLState of %s", e)
                                    .hasValueSatisfying(state -> assertThat(SqlFailures.isTransientState(state))
                                            .as(state)
                                            .isTrue()));
        }
    }
}

package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.RetryOptions;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Rules 2.x of SPEC.md: mutual exclusion. */
public interface MutualExclusionRules extends TckSuite {

    /**
     * R2.1: a held lock is not granted to another manager. When it fails: the store's acquire does not check whether
     * the current lease is unexpired, or compares expiry with the wrong clock.
     */
    @Test
    default void required_r2_1_aHeldLockIsNotGrantedToAnotherManager() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("exclusive");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        assertThat(other.lock(name).tryAcquire()).as("second grant while held").isEmpty();
        assertThat(tck().manager().lock(name).tryAcquire())
                .as("third grant while held")
                .isEmpty();
        assertThat(lease.isValid()).isTrue();
        lease.release();
    }

    /**
     * R2.2: under contention no two holders overlap. When it fails: look at the overlap count; two grants of one name
     * at once mean the acquire is not atomic (a read-then-write without a row lock or conditional update).
     */
    @Test
    default void required_r2_2_contendingThreadsNeverOverlap() throws InterruptedException {
        String name = tck().name("counter");
        Contention run = Contention.run(tck(), name, 2, 4, 15);
        assertThat(run.failures.size()).as(run.failureSummary()).isZero();
        assertThat(run.maxHolders).as("holders at once").isEqualTo(1);
        assertThat(run.finalCount).as("unsynchronised counter").isEqualTo(run.sections);
    }

    /**
     * R2.3: locks are not reentrant. When it fails: the manager grants a lock it holds a second time, waits for itself
     * instead of failing at once, or fails another thread that should simply find the lock held.
     */
    @Test
    default void required_r2_3_reacquiringAHeldLockFailsAtOnce() throws Exception {
        LockManager manager =
                tck().manager(s -> s.retry(RetryOptions.waitUpTo(tck().env().patience(), Duration.ofMillis(20))));
        String name = tck().name("reentrant");
        Lease lease = manager.lock(name).acquire();
        long started = System.nanoTime();
        assertThatThrownBy(() -> manager.lock(name).tryAcquire())
                .isInstanceOfSatisfying(
                        LockAlreadyHeldException.class,
                        e -> assertThat(e.heldByThisManager()).isTrue())
                .hasMessageContaining("this manager");
        assertThatThrownBy(() -> manager.lock(name).acquire())
                .isInstanceOfSatisfying(
                        LockAlreadyHeldException.class,
                        e -> assertThat(e.heldByThisManager()).isTrue());
        assertThat(Duration.ofNanos(System.nanoTime() - started))
                .as("time to fail")
                .isLessThan(tck().env().slack());
        assertThat(lease.isValid()).isTrue();
        assertThat(manager.inspect(name)).map(LockInfo::token).contains(lease.token());
        assertThat(CompletableFuture.supplyAsync(() -> manager.lock(name).tryAcquire())
                        .get(tck().env().patience().toMillis(), TimeUnit.MILLISECONDS))
                .as("tryAcquire by another thread of the holding manager")
                .isEmpty();
        lease.release();
    }

    /**
     * R2.4: managers sharing an owner id exclude each other. When it fails: the store treats "same owner id" as "may
     * acquire again" (a reentrant {@code OR owner_id = ?} in the acquire statement).
     */
    @Test
    default void required_r2_4_managersSharingAnOwnerIdExcludeEachOther() {
        String owner = tck().name("shared-owner");
        LockManager first = tck().manager(s -> s.ownerId(owner));
        LockManager second = tck().manager(s -> s.ownerId(owner));
        String name = tck().name("same-owner");
        Lease lease = first.lock(name).tryAcquire().orElseThrow();
        assertThat(second.lock(name).tryAcquire())
                .as("grant to another manager with the same owner id")
                .isEmpty();
        lease.release();
        Lease next = second.lock(name).tryAcquire().orElseThrow();
        assertThat(next.token()).isGreaterThan(lease.token());
        next.release();
    }

    /** R2.5: different names are independent. When it fails: the store locks more than the named row. */
    @Test
    default void required_r2_5_differentNamesAreIndependent() {
        LockManager a = tck().manager();
        LockManager b = tck().manager();
        String x = tck().name("x");
        String y = tck().name("y");
        Lease ax = a.lock(x).tryAcquire().orElseThrow();
        Lease by = b.lock(y).tryAcquire().orElseThrow(() -> new AssertionError(y + " blocked by " + x));
        assertThat(a.lock(y).tryAcquire()).isEmpty();
        assertThat(b.lock(x).tryAcquire()).isEmpty();
        ax.release();
        by.release();
    }
}

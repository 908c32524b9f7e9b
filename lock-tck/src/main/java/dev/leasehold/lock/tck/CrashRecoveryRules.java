package dev.leasehold.lock.tck;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/** Rules 6.x of SPEC.md: crash recovery. */
public interface CrashRecoveryRules extends TckSuite {

    /**
     * R6.1: a crashed holder's lock is taken over within a lease time. When it fails: the store never treats an
     * expired lease as free, computes expiry with a clock other than its own, or the token does not grow.
     */
    @Test
    default void required_r6_1_aCrashedHoldersLockIsTakenOverAfterItsLease() {
        LockManager crashed = tck().manager();
        LockManager next = tck().manager();
        String name = tck().name("crash");
        Lease lost = crashed.lock(name).tryAcquire().orElseThrow();
        tck().crash(crashed);
        long crashedAt = System.nanoTime();
        Duration bound = tck().env().leaseTime().plus(tck().env().slack());
        Lease taken;
        try {
            taken = next.lock(name).acquire(bound);
        } catch (LockAlreadyHeldException e) {
            throw new AssertionError("no takeover within " + bound + " of the crash; holder " + e.holder(), e);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - crashedAt)).isLessThanOrEqualTo(bound);
        assertThat(taken.token()).isGreaterThan(lost.token());
        taken.release();
    }

    /**
     * R6.2: killing a holder's connections never leaves two holders. When it fails: the holder kept treating its
     * lease as valid after the store had let another owner take it (a renewal reconnected and renewed without owner
     * and token checks, or a lost session went unnoticed).
     */
    @Test
    default void required_r6_2_killedConnectionsNeverLeaveTwoHolders() {
        LockManager holder = tck().manager();
        LockManager other = tck().manager();
        String name = tck().name("killed");
        Lease lease = holder.lock(name).tryAcquire().orElseThrow();
        AtomicInteger told = new AtomicInteger();
        lease.onLost(e -> told.incrementAndGet());
        try {
            tck().fixture().killConnections(holder);
        } catch (UnsupportedOperationException e) {
            Assumptions.abort("the fixture cannot kill a manager's connections: " + e.getMessage());
        }
        Duration bound = tck().env().leaseTime().plus(tck().env().slack());
        Optional<Lease> taken;
        try {
            taken = Optional.of(other.lock(name).acquire(bound));
        } catch (LockAlreadyHeldException e) {
            taken = Optional.empty();
        }
        if (taken.isPresent()) {
            await().atMost(tck().env().slack())
                    .pollInterval(Duration.ofMillis(5))
                    .until(() -> !lease.isValid() && told.get() == 1);
            assertThat(taken.get().token()).isGreaterThan(lease.token());
            taken.get().release();
        } else {
            assertThat(lease.isValid())
                    .as("nobody could take the lock, so the holder must still hold it")
                    .isTrue();
            lease.release();
        }
    }
}

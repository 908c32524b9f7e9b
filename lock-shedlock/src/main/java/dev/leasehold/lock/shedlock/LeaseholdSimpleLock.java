package dev.leasehold.lock.shedlock;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockExpiredException;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import net.javacrumbs.shedlock.core.SimpleLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * ShedLock's handle on one Leasehold lease: {@link #unlock()} releases it with its minimum hold and {@link #extend}
 * extends it; either makes this handle invalid, as ShedLock's contract says.
 *
 * <p>This class is thread-safe.
 */
final class LeaseholdSimpleLock implements SimpleLock {

    private static final Logger LOG = LoggerFactory.getLogger(LeaseholdSimpleLock.class);

    private final LeaseholdLocks.Held held;
    private final Duration minHold;
    private final AtomicBoolean used = new AtomicBoolean();

    private LeaseholdSimpleLock(LeaseholdLocks.Held held, Duration minHold) {
        this.held = held;
        this.minHold = minHold;
    }

    /** A handle on a lease just granted, made the calling thread's current one. */
    static LeaseholdSimpleLock entered(Lease lease, Duration lockAtLeastFor) {
        LeaseholdLocks.Held held = new LeaseholdLocks.Held(lease);
        LeaseholdLocks.enter(held);
        return new LeaseholdSimpleLock(held, lockAtLeastFor);
    }

    /** The minimum hold, counted from the grant, that {@link #unlock()} releases with. */
    Duration minHold() {
        return minHold;
    }

    /**
     * Releases the lease with the minimum hold. A lease lost before (expired, or taken over) is not an error here, as
     * in ShedLock, since the job has ended: it is logged, and {@link Lease#onLost} listeners have been told.
     *
     * @throws IllegalStateException if this handle was unlocked or extended already
     */
    @Override
    public void unlock() {
        use();
        held.end();
        Lease lease = held.lease();
        try {
            lease.release(minHold);
        } catch (LockExpiredException e) {
            LOG.warn(
                    "lock '{}' (token {}) was lost before the job ended: {}",
                    lease.name(),
                    lease.token(),
                    e.getMessage());
        } catch (IllegalStateException e) {
            // The manager released it already (it was closed); nothing is left to release.
            LOG.warn(
                    "lock '{}' (token {}) was released by its manager before unlock: {}",
                    lease.name(),
                    lease.token(),
                    e.getMessage());
        }
    }

    /**
     * Extends the lease to {@code lockAtMostFor} from the database's time now, with {@code lockAtLeastFor} from that
     * time as the new minimum hold.
     *
     * @return the handle to use from now on, or empty if the lease is no longer held
     * @throws IllegalArgumentException if an argument is null, negative, {@code lockAtLeastFor} is longer than {@code
     *     lockAtMostFor}, or {@code lockAtMostFor} is not a valid lease time; this handle then stays valid
     * @throws IllegalStateException if this handle was unlocked or extended already
     */
    @Override
    public Optional<SimpleLock> extend(Duration lockAtMostFor, Duration lockAtLeastFor) {
        check(lockAtMostFor, "lockAtMostFor");
        check(lockAtLeastFor, "lockAtLeastFor");
        if (lockAtLeastFor.compareTo(lockAtMostFor) > 0) {
            throw new IllegalArgumentException("lockAtLeastFor (" + lockAtLeastFor + ") is longer than lockAtMostFor ("
                    + lockAtMostFor + ") for lock '" + held.lease().name() + "': make it shorter");
        }
        use();
        Lease lease = held.lease();
        try {
            lease.extend(lockAtMostFor);
        } catch (IllegalArgumentException e) {
            used.set(false);
            throw new IllegalArgumentException(
                    "lockAtMostFor of lock '" + lease.name() + "' cannot be a lease time: " + e.getMessage(), e);
        } catch (LockExpiredException | IllegalStateException e) {
            // Lost, or released by its closed manager: no longer held, which ShedLock reports as empty.
            return Optional.empty();
        }
        Duration hold = Duration.ZERO;
        if (!lockAtLeastFor.isZero()) {
            // The database's time of the extension is the new expiry less lockAtMostFor; the hold counts from the
            // grant.
            // A heartbeat renewal between the two can only move it later, so the hold never comes out shorter.
            Instant extendedAt = lease.expiresAt().minus(lockAtMostFor);
            hold = Duration.between(lease.acquiredAt(), extendedAt).plus(lockAtLeastFor);
        }
        return Optional.of(new LeaseholdSimpleLock(held, hold));
    }

    private void use() {
        if (!used.compareAndSet(false, true)) {
            throw new IllegalStateException(
                    "the SimpleLock of lock '" + held.lease().name()
                            + "' was unlocked or extended already: use the SimpleLock that extend returned");
        }
    }

    private static void check(Duration value, String argument) {
        if (value == null) {
            throw new IllegalArgumentException(argument + " must not be null: pass a duration");
        }
        if (value.isNegative()) {
            throw new IllegalArgumentException(argument + " is " + value + "; it must not be negative");
        }
    }

    @Override
    public String toString() {
        Lease lease = held.lease();
        return "LeaseholdSimpleLock[" + lease.name() + ", token " + lease.token() + ", minHold " + minHold + "]";
    }
}

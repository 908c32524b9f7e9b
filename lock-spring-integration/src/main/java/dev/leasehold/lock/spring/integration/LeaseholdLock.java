package dev.leasehold.lock.spring.integration;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInterruptedException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.springframework.integration.support.locks.DistributedLock;

/**
 * A {@link java.util.concurrent.locks.Lock} backed by a Leasehold lease: the lock of one key of a {@link
 * LeaseholdLockRegistry}, excluding threads of this process and every other owner in the database.
 *
 * <p>Semantics, as {@link java.util.concurrent.locks.ReentrantLock} has them, with a lease underneath:
 *
 * <ol>
 *   <li>Threads of this process first take a local {@link ReentrantLock}, so that one thread at a time holds the key
 *       here; the local lock is reentrant and counts its holds.
 *   <li>The thread whose hold count goes from 0 to 1 acquires the lease; the lease stays held while the count is above
 *       0 and is released when the last hold is given up. Re-entries ask no database: a Leasehold lease is not
 *       reentrant, so one lease serves every hold of the owning thread.
 *   <li>{@link #unlock()} by any other thread throws {@link IllegalMonitorStateException}.
 *   <li>{@link #lock()} waits without limit, uninterruptibly, retrying as the lock's {@link
 *       dev.leasehold.lock.RetryOptions} delay says (never a busy spin); an interrupt is kept and set again when it
 *       returns. {@link #lockInterruptibly()} and {@link #tryLock(long, TimeUnit)} throw {@link InterruptedException}
 *       when interrupted while waiting, with nothing left held. {@link #tryLock()} makes one attempt.
 *   <li>When the lease is lost (expired, taken over, or freed by an administrator), the holds are broken: the next
 *       {@link #unlock()}, and every one after it, gives up its hold and throws {@link LockExpiredException}; a
 *       re-entry ({@code lock} or {@code tryLock} by the owning thread) throws it at once without taking a hold, so a
 *       caller that polls with {@code tryLock}, as {@code LockRegistryLeaderInitiator} does each heartbeat, learns of
 *       the loss then. Once the owner has given up its holds, the key can be locked again with a new lease.
 *   <li>{@link #newCondition()} is not supported.
 * </ol>
 *
 * <p>Failures of the database ({@link dev.leasehold.lock.LockBackendException}) and a closed manager ({@link
 * IllegalStateException}) pass through from any method, with nothing left held by the failed attempt.
 *
 * <p>This class is thread-safe.
 */
public final class LeaseholdLock implements DistributedLock {

    // Leasehold's acquire(maxWait) accepts up to a day; longer and unbounded waits are made of such slices.
    private static final Duration LONGEST_SLICE = Duration.ofDays(1);

    private final LockManager manager;
    private final String name;
    private final LockOptions options;
    private final ReentrantLock local = new ReentrantLock();

    // Written by the owning thread while it holds `local`; volatile so that the heartbeat's onLost listener and
    // monitoring threads read the current lease.
    private volatile Lease lease;
    private volatile Duration leaseTime;
    private volatile LockExpiredException lost;
    private volatile long lastUsedNanos = System.nanoTime();

    LeaseholdLock(LockManager manager, String name, LockOptions options) {
        this.manager = manager;
        this.name = name;
        this.options = options;
    }

    /** The lock name in the database: the registry's key. */
    public String name() {
        return name;
    }

    /** Acquires the lock, waiting without limit; an interrupt does not end the wait and is set again on return. */
    @Override
    public void lock() {
        lock(options);
    }

    /** {@link #lock()} with a lease time of {@code ttl} for this hold's lease (ignored on a re-entry). */
    @Override
    public void lock(Duration ttl) {
        lock(withLeaseTime(ttl));
    }

    private void lock(LockOptions lockOptions) {
        local.lock();
        if (reentered()) {
            return;
        }
        boolean interrupted = false;
        try {
            while (true) {
                try {
                    if (acquireLease(LONGEST_SLICE, lockOptions)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    // lock() is not interruptible: remember the interrupt and keep waiting.
                    interrupted = true;
                }
            }
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        } finally {
            if (interrupted) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Acquires the lock, waiting without limit unless the thread is interrupted. */
    @Override
    public void lockInterruptibly() throws InterruptedException {
        local.lockInterruptibly();
        if (reentered()) {
            return;
        }
        try {
            while (!acquireLease(LONGEST_SLICE, options)) {
                // Held elsewhere for a whole slice: wait another.
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    /** Makes one attempt: true if this thread holds the lock now. */
    @Override
    public boolean tryLock() {
        if (!local.tryLock()) {
            return false;
        }
        if (reentered()) {
            return true;
        }
        try {
            return keepOrUnlock(acquireLease(null, options));
        } catch (InterruptedException e) {
            // A single attempt does not wait, so it cannot be interrupted while waiting; keep the flag.
            local.unlock();
            Thread.currentThread().interrupt();
            return false;
        } catch (RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    /** Waits up to {@code time} for the lock, in this process and in the database together. */
    @Override
    public boolean tryLock(long time, TimeUnit unit) throws InterruptedException {
        if (unit == null) {
            throw new IllegalArgumentException("unit must not be null");
        }
        return tryLock(Duration.ofNanos(unit.toNanos(Math.max(0, time))), options);
    }

    /** {@link #tryLock(long, TimeUnit)} with a lease time of {@code ttl} for this hold's lease. */
    @Override
    public boolean tryLock(Duration waitTime, Duration ttl) throws InterruptedException {
        if (waitTime == null) {
            throw new IllegalArgumentException("waitTime must not be null");
        }
        return tryLock(waitTime.isNegative() ? Duration.ZERO : waitTime, withLeaseTime(ttl));
    }

    private boolean tryLock(Duration wait, LockOptions lockOptions) throws InterruptedException {
        long deadline = System.nanoTime() + Math.min(wait.toNanos(), Long.MAX_VALUE / 2);
        if (!local.tryLock(wait.toNanos(), TimeUnit.NANOSECONDS)) {
            return false;
        }
        if (reentered()) {
            return true;
        }
        try {
            while (true) {
                long left = deadline - System.nanoTime();
                Duration slice = Duration.ofNanos(Math.max(0, Math.min(left, LONGEST_SLICE.toNanos())));
                if (acquireLease(slice, lockOptions)) {
                    return true;
                }
                if (left <= LONGEST_SLICE.toNanos()) {
                    local.unlock();
                    return false;
                }
            }
        } catch (InterruptedException | RuntimeException | Error e) {
            local.unlock();
            throw e;
        }
    }

    /**
     * Gives up one hold; the last one releases the lease.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold the lock
     * @throws LockExpiredException if the lease was lost while held: the hold is given up all the same, and whatever
     *     it protected may have been changed by another owner meanwhile
     * @throws dev.leasehold.lock.LockBackendException if the database kept failing on release: the hold is given up
     *     and the lease expires on its own
     */
    @Override
    public void unlock() {
        if (!local.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("lock '" + name + "' is not held by thread '"
                    + Thread.currentThread().getName() + "': only the thread that locked it can unlock it");
        }
        Lease current = lease;
        lastUsedNanos = System.nanoTime();
        if (local.getHoldCount() > 1) {
            local.unlock();
            if (!current.isValid()) {
                throw lostException(current);
            }
            return;
        }
        boolean wasValid = current.isValid();
        lease = null;
        try {
            current.release();
        } finally {
            local.unlock();
        }
        if (!wasValid) {
            // The release found the row still ours, but the hold was not guaranteed for its whole length.
            throw lostException(current);
        }
    }

    /** Not supported: a condition would need a wait that keeps the lease and is woken across processes. */
    @Override
    public Condition newCondition() {
        throw new UnsupportedOperationException(
                "LeaseholdLock does not support conditions: lock '" + name + "' is a distributed lease");
    }

    /** Whether the current thread holds the lock (whether or not its lease is still valid). Asks no database. */
    public boolean isHeldByCurrentThread() {
        return local.isHeldByCurrentThread();
    }

    /** Whether some thread of this process holds the lock. Asks no database. */
    public boolean isLocked() {
        return local.isLocked();
    }

    /**
     * The lease under the current thread's holds, for its fencing token; empty if the current thread does not hold the
     * lock.
     */
    public Optional<Lease> lease() {
        return local.isHeldByCurrentThread() ? Optional.ofNullable(lease) : Optional.empty();
    }

    /**
     * Whether the lease under the current holds was lost: true from the loss until the owning thread has given up its
     * last hold.
     */
    public boolean isLost() {
        Lease current = lease;
        return current != null && !current.isValid();
    }

    /**
     * Renews the current thread's lease now for {@code ttl}, or for the lease time it was granted with when {@code
     * ttl} is null; later heartbeats keep the new lease time.
     */
    void renew(Duration ttl) {
        if (!local.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("lock '" + name + "' is not held by thread '"
                    + Thread.currentThread().getName() + "': only the thread that holds it can renew it");
        }
        Duration renewFor = ttl != null ? ttl : leaseTime;
        if (renewFor == null) {
            throw new IllegalStateException("the lease time of lock '" + name + "' is not known (the manager is not"
                    + " built on Leasehold's engine and the registry sets none): call renewLock(key, ttl)");
        }
        lease.extend(renewFor);
        leaseTime = renewFor;
    }

    /** Whether the registry may forget this lock: nobody holds or waits for it, and it was last used before then. */
    boolean unusedSince(long nanoTime) {
        return !local.isLocked() && !local.hasQueuedThreads() && lastUsedNanos - nanoTime < 0;
    }

    /**
     * After the local lock was taken: true if it was a re-entry, which needs no database. A re-entry over a lost lease
     * gives the new hold back and throws.
     */
    private boolean reentered() {
        lastUsedNanos = System.nanoTime();
        if (local.getHoldCount() == 1) {
            return false;
        }
        Lease current = lease;
        if (!current.isValid()) {
            local.unlock();
            throw lostException(current);
        }
        return true;
    }

    private boolean keepOrUnlock(boolean acquired) {
        if (!acquired) {
            local.unlock();
        }
        return acquired;
    }

    /**
     * One acquisition of the lease while this thread holds the local lock for the first time: a single attempt when
     * {@code maxWait} is null, else waiting up to {@code maxWait} with the lock's retry delay.
     *
     * @return whether the lease was granted; the caller gives the local lock back when not
     */
    private boolean acquireLease(Duration maxWait, LockOptions lockOptions) throws InterruptedException {
        dev.leasehold.lock.DistributedLock distributed = manager.lock(name, lockOptions);
        Lease granted;
        try {
            granted = maxWait == null ? distributed.tryAcquire().orElse(null) : distributed.acquire(maxWait);
        } catch (LockAlreadyHeldException e) {
            if (e.heldByThisManager()) {
                throw new IllegalStateException(
                        "lock '" + name + "' is already held by this LockManager (owner " + manager.ownerId()
                                + ") outside this LeaseholdLockRegistry: use one registry per manager for a key, and"
                                + " do not also take the key with the manager directly",
                        e);
            }
            return false;
        } catch (LockInterruptedException e) {
            // Leasehold sets the flag again; InterruptedException is the flag's replacement, as Lock's methods do.
            Thread.interrupted();
            InterruptedException interrupted =
                    new InterruptedException("interrupted while waiting for lock '" + name + "'");
            interrupted.initCause(e);
            throw interrupted;
        }
        if (granted == null) {
            return false;
        }
        lost = null;
        leaseTime = lockOptions.leaseTime().orElseGet(this::managerLeaseTime);
        lease = granted;
        // Added after `lease` is set, so that a loss reported at once is matched to this lease.
        granted.onLost(e -> {
            if (lease == granted) {
                lost = e;
            }
        });
        return true;
    }

    private Duration managerLeaseTime() {
        return manager instanceof LeaseLockManager engine ? engine.settings().leaseTime() : null;
    }

    private LockExpiredException lostException(Lease current) {
        LockExpiredException reason = lost;
        if (reason != null && reason.token() == current.token()) {
            return new LockExpiredException(
                    name,
                    current.token(),
                    "lease on lock '" + name + "' (token " + current.token() + ") was lost while held: "
                            + reason.getMessage(),
                    reason);
        }
        return new LockExpiredException(
                name,
                current.token(),
                "lease on lock '" + name + "' (token " + current.token() + ") was lost while held: it is no longer"
                        + " valid (its renewals failed or it was taken over)",
                null);
    }

    private LockOptions withLeaseTime(Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException("ttl must not be null");
        }
        // A heartbeat left empty becomes a third of this lease time.
        return new LockOptions(Optional.of(ttl), Optional.empty(), options.retry());
    }

    @Override
    public String toString() {
        Lease current = lease;
        return "LeaseholdLock[" + name + (current == null ? ", unlocked" : ", token " + current.token()) + "]";
    }
}

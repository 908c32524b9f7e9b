package dev.leasehold.lock.shedlock;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import java.time.Duration;
import java.util.Optional;
import net.javacrumbs.shedlock.core.ExtensibleLockProvider;
import net.javacrumbs.shedlock.core.LockConfiguration;
import net.javacrumbs.shedlock.core.SimpleLock;

/**
 * ShedLock's lock provider on a Leasehold {@link LockManager}: replace the application's {@code LockProvider} bean with
 * {@code new LeaseholdLockProvider(manager)} and every {@code @SchedulerLock} and {@code LockingTaskExecutor} runs on
 * Leasehold's leases. How ShedLock's settings map:
 *
 * <ol>
 *   <li>{@code lockAtMostFor} is a fixed-term lease of that length ({@link LockOptions.Builder#fixedTerm()}): it ends
 *       that long after the grant by the database clock, even while the job still runs, as ShedLock promises; at most
 *       366 days. With {@link #withKeepAlive(LockManager)} it is instead the lease time of a lease the manager's
 *       heartbeat renews every third of it for as long as the job runs (as ShedLock's {@code KeepAliveLockProvider}
 *       does every half), so that only a crashed or cut-off holder's lock is freed, {@code lockAtMostFor} after its
 *       last renewal; a renewed lease lasts at most one day.
 *   <li>{@code lockAtLeastFor} is a minimum hold ({@link Lease#release(Duration)}): {@code unlock()} keeps the lock
 *       held until that long after the grant by the database clock, also after the manager closes or the process
 *       exits. It counts from the database's time of the grant (as ShedLock's JDBC providers do only with {@code
 *       usingDbTime()}; otherwise they count from the node's time the configuration was made), so clock differences
 *       between hosts do not shorten it.
 *   <li>{@code lock} makes one attempt and never waits; a lock this manager holds already (on this thread or another)
 *       is "not acquired", an empty result, as for a lock held elsewhere.
 *   <li>{@link SimpleLock#extend(Duration, Duration)} is {@link Lease#extend(Duration)}: the lease then ends {@code
 *       lockAtMostFor} from the database's time of the extension (a fixed-term lease stays fixed-term), the minimum
 *       hold becomes {@code lockAtLeastFor} from that time, the old {@code SimpleLock} becomes invalid, and a lease
 *       already lost gives an empty result.
 * </ol>
 *
 * <p>The job finds its lease, with the fencing token and the lost-lock signal, through {@link LeaseholdLocks}.
 *
 * <p>This class is thread-safe.
 */
public final class LeaseholdLockProvider implements ExtensibleLockProvider {

    /** The longest renewed lease of Leasehold, so the longest {@code lockAtMostFor} with keep-alive. */
    private static final Duration MAX_RENEWED = Duration.ofDays(1);

    private final LockManager manager;
    private final boolean keepAlive;

    /**
     * A provider whose leases are fixed-term: each ends {@code lockAtMostFor} after its grant.
     *
     * @throws IllegalArgumentException if {@code manager} is null
     */
    public LeaseholdLockProvider(LockManager manager) {
        this(manager, false);
    }

    private LeaseholdLockProvider(LockManager manager, boolean keepAlive) {
        if (manager == null) {
            throw new IllegalArgumentException(
                    "manager must not be null: pass the LockManager built by Locks.builder()");
        }
        this.manager = manager;
        this.keepAlive = keepAlive;
    }

    /**
     * A provider whose leases the manager's heartbeat renews while the job runs, with {@code lockAtMostFor} as their
     * lease time (at most one day).
     *
     * @throws IllegalArgumentException if {@code manager} is null
     */
    public static LeaseholdLockProvider withKeepAlive(LockManager manager) {
        return new LeaseholdLockProvider(manager, true);
    }

    /** Whether the heartbeat renews this provider's leases. */
    public boolean keepAlive() {
        return keepAlive;
    }

    /** The manager this provider locks with. */
    public LockManager manager() {
        return manager;
    }

    /**
     * Makes one attempt to lock {@code lockConfiguration}'s name and, when it is granted, makes its lease the calling
     * thread's current one in {@link LeaseholdLocks} until {@code unlock()}.
     *
     * @return the lock, or empty if it is held, by another owner or by this manager
     * @throws IllegalArgumentException if the name is not a valid lock name, or {@code lockAtMostFor} or {@code
     *     lockAtLeastFor} is out of Leasehold's range; nothing is sent to the database then
     * @throws dev.leasehold.lock.LockBackendException if the database keeps failing
     * @throws IllegalStateException if the manager is closed
     */
    @Override
    public Optional<SimpleLock> lock(LockConfiguration lockConfiguration) {
        if (lockConfiguration == null) {
            throw new IllegalArgumentException("lockConfiguration must not be null: pass ShedLock's LockConfiguration");
        }
        String name = lockConfiguration.getName();
        LockOptions options =
                options(name, lockConfiguration.getLockAtMostFor(), lockConfiguration.getLockAtLeastFor());
        Optional<Lease> lease;
        try {
            lease = manager.lock(name, options).tryAcquire();
        } catch (LockAlreadyHeldException e) {
            // ShedLock's contract: a lock held already, by whomever, is not acquired; it never throws for it.
            return Optional.empty();
        }
        return lease.map(l -> LeaseholdSimpleLock.entered(l, lockConfiguration.getLockAtLeastFor()));
    }

    private LockOptions options(String name, Duration lockAtMostFor, Duration lockAtLeastFor) {
        if (keepAlive && lockAtMostFor.compareTo(MAX_RENEWED) > 0) {
            throw new IllegalArgumentException("lockAtMostFor of lock '" + name + "' is " + lockAtMostFor
                    + "; with keep-alive the lease is renewed, and a renewed lease lasts at most " + MAX_RENEWED
                    + " (one day): use a shorter lockAtMostFor, or a provider without keep-alive (fixed-term, up to"
                    + " 366 days)");
        }
        LockOptions.Builder builder = LockOptions.builder();
        try {
            builder.leaseTime(lockAtMostFor);
            if (!keepAlive) {
                builder.fixedTerm();
            }
            if (!lockAtLeastFor.isZero()) {
                builder.minHold(lockAtLeastFor);
            }
            return builder.build();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "lock '" + name + "' with lockAtMostFor " + lockAtMostFor
                            + " and lockAtLeastFor " + lockAtLeastFor + " cannot be a Leasehold lease (leaseTime is"
                            + " lockAtMostFor, minHold is lockAtLeastFor): " + e.getMessage(),
                    e);
        }
    }

    @Override
    public String toString() {
        return "LeaseholdLockProvider[" + manager.ownerId() + (keepAlive ? ", keep-alive]" : ", fixed-term]");
    }
}

package dev.leasehold.lock.spring.integration;

import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.TimeUnit;
import org.springframework.integration.support.locks.ExpirableLockRegistry;
import org.springframework.integration.support.locks.RenewableLockRegistry;
import org.springframework.scheduling.TaskScheduler;

/**
 * A Spring Integration {@link org.springframework.integration.support.locks.LockRegistry} over a Leasehold {@link
 * LockManager}: {@link #obtain(Object)} returns the {@link LeaseholdLock} of a key, a reentrant {@link
 * java.util.concurrent.locks.Lock} whose holds are backed by one lease of the lock of that name (see {@link
 * LeaseholdLock} for the semantics). Use it wherever Spring Integration takes a registry, {@code
 * LockRegistryLeaderInitiator} included:
 *
 * <pre>{@code
 * LeaseholdLockRegistry registry = new LeaseholdLockRegistry(lockManager);
 * LockRegistryLeaderInitiator leader = new LockRegistryLeaderInitiator(registry, candidate);
 * }</pre>
 *
 * <p>Keys are lock names: strings of up to 255 characters. The registry keeps one lock object per key; {@link
 * #expireUnusedOlderThan(long)} forgets those nobody holds or waits for. Use one registry per manager for a key: the
 * manager's own lease is not reentrant, so a key taken both here and directly through the manager makes the second
 * taker fail with {@link IllegalStateException}.
 *
 * <p><b>Renewal is the heartbeat.</b> The manager renews every held lease on its own heartbeat, so a lock stays held
 * however long its holder works; {@link #renewLock(Object)} and {@link #renewLock(Object, Duration)} renew the current
 * thread's lease at once (one round trip) and are only needed to change the lease time or to confirm the lease before
 * a step. {@link #setRenewalTaskScheduler(TaskScheduler)} is not needed and does nothing.
 *
 * <p>This class is thread-safe.
 */
public final class LeaseholdLockRegistry
        implements ExpirableLockRegistry<LeaseholdLock>, RenewableLockRegistry<LeaseholdLock> {

    private final LockManager manager;
    private final LockOptions options;
    private final ConcurrentMap<String, LeaseholdLock> locks = new ConcurrentHashMap<>();

    /** A registry whose locks have the manager's settings. */
    public LeaseholdLockRegistry(LockManager manager) {
        this(manager, LockOptions.defaults());
    }

    /**
     * A registry whose locks have these per-lock options over the manager's settings (lease time, heartbeat and the
     * retry delay of waiting acquisitions; the retry count and overall limit are replaced by the wait of each call).
     *
     * @throws IllegalArgumentException if {@code manager} or {@code options} is null
     */
    public LeaseholdLockRegistry(LockManager manager, LockOptions options) {
        if (manager == null) {
            throw new IllegalArgumentException("manager must not be null");
        }
        if (options == null) {
            throw new IllegalArgumentException("options must not be null: pass LockOptions.defaults() for none");
        }
        this.manager = manager;
        this.options = options;
    }

    /**
     * The lock of {@code lockKey}, the same object for the same key until it is expired from the registry.
     *
     * @throws IllegalArgumentException if {@code lockKey} is not a String, or not a valid lock name
     * @throws IllegalStateException if the manager is closed
     */
    @Override
    public LeaseholdLock obtain(Object lockKey) {
        if (!(lockKey instanceof String name)) {
            throw new IllegalArgumentException("lockKey must be a String (the lock name), not "
                    + (lockKey == null ? "null" : "a " + lockKey.getClass().getName()));
        }
        LeaseholdLock existing = locks.get(name);
        if (existing != null) {
            return existing;
        }
        // Validates the name (and that the manager is open) once, before the lock object is kept.
        manager.lock(name, options);
        return locks.computeIfAbsent(name, n -> new LeaseholdLock(manager, n, options));
    }

    /**
     * Forgets the lock objects that nobody holds or waits for and that were last used more than {@code age}
     * milliseconds ago. A thread that obtained a lock object before it was forgotten and locks it afterwards competes
     * with the key's new object as another owner of this manager would (and fails with {@link IllegalStateException}
     * if that one holds it), so choose an age well above the time between {@code obtain} and {@code lock}.
     */
    @Override
    public void expireUnusedOlderThan(long age) {
        long cutoff = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(Math.max(0, age));
        locks.values().removeIf(lock -> lock.unusedSince(cutoff));
    }

    /**
     * Renews the current thread's lease of {@code lockKey} now, for the lease time it was granted with.
     *
     * @throws IllegalMonitorStateException if the current thread does not hold that lock
     * @throws dev.leasehold.lock.LockExpiredException if the lease was lost
     */
    @Override
    public void renewLock(Object lockKey) {
        held(lockKey).renew(null);
    }

    /**
     * Renews the current thread's lease of {@code lockKey} now for {@code ttl}, by the database clock; later heartbeats
     * keep that lease time.
     *
     * @throws IllegalArgumentException if {@code ttl} is null or not a valid lease time
     * @throws IllegalMonitorStateException if the current thread does not hold that lock
     * @throws dev.leasehold.lock.LockExpiredException if the lease was lost
     */
    @Override
    public void renewLock(Object lockKey, Duration ttl) {
        if (ttl == null) {
            throw new IllegalArgumentException("ttl must not be null");
        }
        held(lockKey).renew(ttl);
    }

    /** Does nothing: the manager's heartbeat renews held leases already. */
    @Override
    public void setRenewalTaskScheduler(TaskScheduler renewalTaskScheduler) {
        // Renewal is the manager's heartbeat.
    }

    /** The manager the locks are taken with. */
    public LockManager manager() {
        return manager;
    }

    private LeaseholdLock held(Object lockKey) {
        LeaseholdLock lock = lockKey instanceof String name ? locks.get(name) : null;
        if (lock == null || !lock.isHeldByCurrentThread()) {
            throw new IllegalMonitorStateException("lock '" + lockKey + "' is not held by thread '"
                    + Thread.currentThread().getName() + "': only the thread that holds a lock can renew it");
        }
        return lock;
    }

    @Override
    public String toString() {
        return "LeaseholdLockRegistry[" + manager + ", " + locks.size() + " locks]";
    }
}

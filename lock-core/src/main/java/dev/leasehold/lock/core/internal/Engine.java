package dev.leasehold.lock.core.internal;

import dev.failsafe.RetryPolicy;
import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockException;
import dev.leasehold.lock.LockInfo;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.spi.LeaseGrant;
import dev.leasehold.lock.spi.LeaseStore;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The lock manager every backend shares, built on a {@link LeaseStore}.
 *
 * <p>Acquiring a lock:
 *
 * <ol>
 *   <li>Arguments are checked before the store is touched.
 *   <li>The name is reserved locally: if the calling thread acquired it and still holds it, {@link
 *       LockAlreadyHeldException} at once (no reentrancy, never a wait for oneself); if another thread of this manager
 *       holds or is acquiring it, the attempt counts as contention without asking the store.
 *   <li>{@link System#nanoTime()} is taken, then the store is asked to grant; transient failures (by SQLState) are
 *       retried by their own Failsafe policy. If a transient failure hid the outcome and the store now shows this
 *       owner as holder, the grant is adopted by renewing it with its token, unless that row is a lease this manager
 *       released with a minimum hold (its owner stays while the hold lasts), which stays held.
 *   <li>The local deadline is the time taken before the request plus the lease time, minus a small margin; a grant
 *       that arrives after its own deadline is given back.
 *   <li>The lease joins the heartbeat (a fixed-term lease only to be lost at its deadline, never renewed). When the
 *       lock is held, the waiting policy (Failsafe, from {@link RetryOptions})
 *       sleeps, or waits on {@link LeaseStore#awaitChange} when the store can wake waiters, and tries again. A retry
 *       is one delay, not one wake-up: when the store wakes the waiter and the attempt then fails (a wake-up without
 *       cause, or another waiter won), the waiter waits out the rest of that delay without using up a retry. A
 *       transient failure that outlasted its own retries (the database restarting) is waited out the same way, so a
 *       waiter with retries and time left resumes when the database is back.
 * </ol>
 *
 * <p>The {@link dev.leasehold.lock.LockListener}s of the settings are told, once each and after the fact, how every
 * acquire call ended, every lease acquired, released or lost (with why), and every heartbeat renewal's outcome; a
 * listener's failure is logged, never passed on. With none, the engine spends nothing on events.
 *
 * <p>Closing (a drain, then the release):
 *
 * <ol>
 *   <li>The manager is marked closed: {@code lock}, {@code acquire}, {@code tryAcquire} and {@code inspect} throw
 *       {@link IllegalStateException}, and threads waiting in {@code acquire} are interrupted out of their wait and
 *       throw it too.
 *   <li>Work running under {@code withLock} or {@code runLocked} on other threads is waited for, up to {@link
 *       LockSettings#drainTimeout()} by {@link System#nanoTime()}, while the heartbeat keeps renewing every lease. Work
 *       on a thread that is itself closing this manager is not waited for.
 *   <li>The heartbeat stops (a renewal in flight is waited for, so none lands afterwards).
 *   <li>The lease of each work still running is lost and left in the store: its listeners run, nothing renews or
 *       releases it, and it expires by the database clock.
 *   <li>Every other lease still held is released, with its lock's minimum hold if it has one, so that closing never
 *       frees a lock earlier than releasing it would.
 *   <li>The store is closed; if work outlived the drain, only once that work has returned, or one lease time later at
 *       the latest, so that a store whose locks live in its session does not free them under the work.
 * </ol>
 *
 * <p>This class is thread-safe.
 */
public final class Engine implements LockManager {

    private static final Logger LOG = LoggerFactory.getLogger(Engine.class);

    private final LeaseStore store;
    private final LockSettings settings;
    private final String owner;
    private final ConcurrentHashMap<String, Slot> slots = new ConcurrentHashMap<>();

    private final HoldsAfterRelease holdsAfterRelease = new HoldsAfterRelease();
    private final GrantRequests grants;
    private final Heartbeat heartbeat;
    private final Lifecycle lifecycle = new Lifecycle(this::closedException);
    private final WaitingAcquire waiting = new WaitingAcquire(this, lifecycle);
    private final Events events;
    private volatile LockException lastRenewalFailure;
    private final PeriodicPurge periodicPurge;

    /** A name reserved by this manager: acquiring while {@code lease} is null, held once it is set. */
    private static final class Slot {
        volatile ManagedLease lease;
    }

    /** An engine whose events name {@code backend}; null for the settings' backend, else the store's class. */
    public Engine(LeaseStore store, LockSettings settings, String backend) {
        this.store = Arguments.notNull(store, "store");
        this.settings = Arguments.notNull(settings, "settings");
        this.owner = settings.ownerId();
        this.grants = new GrantRequests(store, owner, holdsAfterRelease);
        this.events = new Events(
                settings.listeners(),
                backend != null
                        ? backend
                        : settings.backend().orElse(store.getClass().getSimpleName()));
        this.heartbeat = new Heartbeat(this, owner);
        store.attach(this::loseAll);
        this.periodicPurge = settings.purgeIdleAfter()
                .map(idleFor -> PeriodicPurge.start(idleFor, this::purgeIdle, owner))
                .orElse(null);
    }

    /** Marks every held lease lost at once: the store says they are all gone. */
    private void loseAll(String reason, Throwable cause) {
        for (Slot slot : slots.values()) {
            ManagedLease lease = slot.lease;
            if (lease != null) {
                lease.lose(LossReason.ALL_LOST, reason, cause);
            }
        }
    }

    LeaseStore store() {
        return store;
    }

    Heartbeat heartbeat() {
        return heartbeat;
    }

    Events events() {
        return events;
    }

    /** The settings this manager was built with. */
    public LockSettings settings() {
        return settings;
    }

    @Override
    public String ownerId() {
        return owner;
    }

    @Override
    public DistributedLock lock(String name) {
        return lock(name, LockOptions.defaults());
    }

    @Override
    public DistributedLock lock(String name, LockOptions options) {
        Arguments.lockName(name);
        Arguments.notNull(options, "options");
        LockConfig config = LockConfig.of(settings, options);
        ensureOpen();
        return new EngineLock(this, name, config);
    }

    @Override
    public Optional<LockInfo> inspect(String name) {
        Arguments.lockName(name);
        ensureOpen();
        return StoreCalls.run(name, "inspect", () -> store.inspect(name));
    }

    /**
     * Purges the names of locks free for longer than {@code idleFor} by the store's clock ({@link
     * LeaseStore#purgeIdle}); transient failures are retried.
     *
     * @return how many names were purged
     * @throws IllegalArgumentException if {@code idleFor} is null, not positive or longer than ten years
     * @throws UnsupportedOperationException if the store cannot purge
     * @throws LockException if the store fails ({@link dev.leasehold.lock.LockBackendException} with the SQLState)
     */
    public long purgeIdle(Duration idleFor) {
        Arguments.idleAge(idleFor, "idleFor");
        ensureOpen();
        return StoreCalls.runIfSupported(null, "purge of idle names", () -> store.purgeIdle(idleFor));
    }

    void ensureOpen() {
        if (lifecycle.isClosed()) {
            throw closedException();
        }
    }

    private IllegalStateException closedException() {
        return new IllegalStateException(
                "the lock manager of owner " + owner + " is closed; build a new one with Locks.builder()");
    }

    boolean isHeld(String name) {
        Slot slot = slots.get(name);
        ManagedLease lease = slot == null ? null : slot.lease;
        return lease != null && lease.isValid();
    }

    /** {@code tryAcquire}: one attempt, reported to the listeners. */
    Optional<ManagedLease> tryAcquire(String name, LockConfig config) {
        return events.acquireCall(name, () -> attempt(name, config));
    }

    /** One attempt: reserve the name locally, ask the store, register the lease. Empty when held elsewhere. */
    Optional<ManagedLease> attempt(String name, LockConfig config) {
        return attempt(name, config, () -> StoreCalls.transientPolicy(name, "acquire"));
    }

    /**
     * One attempt whose retries of transient failures stop at {@code budgetEnd} ({@link System#nanoTime()}), so that
     * {@code acquire(maxWait)} against a failing database gives up by its deadline; null for the default policy.
     */
    Optional<ManagedLease> attempt(String name, LockConfig config, Long budgetEnd) {
        if (budgetEnd == null) {
            return attempt(name, config);
        }
        return attempt(
                name,
                config,
                () -> StoreCalls.transientPolicyWithin(
                        name, "acquire", StoreCalls.leftUntil(budgetEnd), StoreCalls.DEFAULT_MAX_RETRIES));
    }

    private Optional<ManagedLease> attempt(
            String name, LockConfig config, Supplier<RetryPolicy<Optional<LeaseGrant>>> transientRetry) {
        ensureOpen();
        Slot mine = new Slot();
        if (!reserve(name, mine)) {
            return Optional.empty();
        }
        boolean registered = false;
        try {
            Optional<GrantRequests.Sent> grant = grants.request(name, config.leaseTime(), transientRetry);
            if (grant.isEmpty()) {
                return Optional.empty();
            }
            ManagedLease lease = new ManagedLease(
                    this, name, grant.get().grant(), grant.get().sentAt(), config);
            if (lease.deadlinePassed(System.nanoTime())) {
                LOG.warn("lock '{}' was granted only after its lease time had passed; giving it back", name);
                releaseQuietly(name, lease.token());
                return Optional.empty();
            }
            registered = lifecycle.ifOpen(() -> {
                mine.lease = lease;
                heartbeat.add(lease);
            });
            if (!registered) {
                // close() began while the store granted: give the grant back, outside the lifecycle lock.
                releaseQuietly(name, lease.token());
                throw closedException();
            }
            events.leaseAcquired(name, lease.token());
            return Optional.of(lease);
        } finally {
            if (!registered) {
                slots.remove(name, mine);
            }
        }
    }

    /**
     * Reserves the name for an attempt.
     *
     * @return false when another thread of this manager holds it or is acquiring or releasing it (contention)
     * @throws LockAlreadyHeldException when the calling thread acquired it and still holds it (reentrancy)
     */
    private boolean reserve(String name, Slot mine) {
        while (true) {
            Slot existing = slots.putIfAbsent(name, mine);
            if (existing == null) {
                return true;
            }
            ManagedLease held = existing.lease;
            if (held == null) {
                return false; // another thread of this manager is acquiring it
            }
            ManagedLease.State state = held.state();
            if (state == ManagedLease.State.RELEASING) {
                return false;
            }
            if (state == ManagedLease.State.HELD) {
                if (!held.deadlinePassed(System.nanoTime())) {
                    if (!held.acquiredByCurrentThread()) {
                        return false;
                    }
                    throw new LockAlreadyHeldException(
                            name,
                            null,
                            true,
                            "lock '" + name + "' is already held by this manager (owner " + owner + ", token "
                                    + held.token() + "), acquired by this thread: Leasehold locks are not reentrant;"
                                    + " use the lease you hold, or release it first");
                }
                held.lose(
                        LossReason.EXPIRED,
                        "no renewal succeeded before the lease's local deadline",
                        lastRenewalFailure);
            }
            // The lease is over (lost or released) but its slot may not be forgotten yet: free it and try again.
            slots.remove(name, existing);
        }
    }

    /** Acquires with waiting, as the retry options say; reported to the listeners. */
    ManagedLease acquire(String name, LockConfig config, RetryOptions retry) {
        return events.acquireCall(name, () -> Optional.of(waiting.acquire(name, config, retry)))
                .get();
    }

    /** Renews one lease now for {@code leaseTime} (extend). */
    Optional<Instant> renewNow(ManagedLease lease, Duration leaseTime) {
        return StoreCalls.run(lease.name(), "extend", () -> store.renew(lease.name(), owner, lease.token(), leaseTime));
    }

    /**
     * Releases one lease in the store (release), with a minimum hold unless {@code minHold} is zero.
     *
     * @throws UnsupportedOperationException if the store cannot release with a hold; nothing was changed or forgotten
     */
    boolean releaseInStore(ManagedLease lease, Duration minHold) {
        if (minHold.isZero()) {
            forget(lease);
            return StoreCalls.run(lease.name(), "release", () -> store.release(lease.name(), owner, lease.token()));
        }
        holdsAfterRelease.remember(lease.name(), lease.token(), minHold);
        // The store first: a store without releaseAfter leaves the lease held, so it must not be forgotten yet. Until
        // it is, other threads of this manager see it RELEASING, which is contention, as the store's hold is.
        boolean released = StoreCalls.runIfSupported(
                lease.name(), "release", () -> store.releaseAfter(lease.name(), owner, lease.token(), minHold));
        forget(lease);
        return released;
    }

    /** How many releases with a minimum hold are remembered (for tests). */
    int holdsRemembered() {
        return holdsAfterRelease.size();
    }

    /** Forgets a lease that is no longer held: frees its name for this manager and drops it from the heartbeat. */
    void forget(ManagedLease lease) {
        slots.computeIfPresent(lease.name(), (k, slot) -> slot.lease == lease ? null : slot);
        heartbeat.remove(lease);
    }

    /** Gives back a lease the database still grants but this manager has declared lost. */
    void giveBack(ManagedLease lease) {
        releaseQuietly(lease.name(), lease.token());
    }

    private void releaseQuietly(String name, long token) {
        try {
            store.release(name, owner, token);
        } catch (Exception e) {
            LOG.warn("could not give back lock '{}' (token {}); it expires on its own", name, token, e);
        }
    }

    void renewalSucceeded() {
        lastRenewalFailure = null;
    }

    void renewalFailed(LockException failure) {
        lastRenewalFailure = failure;
    }

    LockException lastRenewalFailure() {
        return lastRenewalFailure;
    }

    /**
     * Registers work about to run under {@code lease} on the calling thread ({@code withLock}), so that close() waits
     * for it. Pair every call with {@link #endWork}.
     *
     * @throws IllegalStateException if the manager's drain is over (close() then releases the lease itself)
     */
    void beginWork(ManagedLease lease) {
        lifecycle.beginWork(lease);
    }

    /** The work under {@code lease} has returned, and its release was attempted. */
    void endWork(ManagedLease lease) {
        lifecycle.endWork(lease);
    }

    @Override
    public void close() {
        if (!lifecycle.beginClose()) {
            return;
        }
        if (periodicPurge != null) {
            periodicPurge.stop();
        }
        try {
            lifecycle.drain(settings.drainTimeout());
            heartbeat.stop(true);
            List<ManagedLease> outlivers = loseOutlivingWork();
            Closing.releaseAll(store, owner, heldLeases());
            slots.clear();
            Closing.closeStoreAfter(store, owner, lifecycle, outlivers);
        } finally {
            lifecycle.finishClose();
        }
    }

    /** Loses the lease of every work still running after the drain, leaving it in the store; returns those leases. */
    private List<ManagedLease> loseOutlivingWork() {
        String afterDrain = "the lock manager closed while work under the lock was still running after drainTimeout ("
                + settings.drainTimeout().toMillis() + " ms); the lease is left to expire by the database clock";
        String fromWork = "the lock manager was closed from the work under the lock, which close() does not wait for;"
                + " the lease is left to expire by the database clock";
        List<ManagedLease> leases = new ArrayList<>();
        for (Lifecycle.Outlived work : lifecycle.outliving()) {
            work.lease().loseLeavingInStore(work.closingItself() ? fromWork : afterDrain);
            leases.add(work.lease());
        }
        return leases;
    }

    private List<ManagedLease> heldLeases() {
        List<ManagedLease> held = new ArrayList<>();
        for (Slot slot : slots.values()) {
            ManagedLease lease = slot.lease;
            if (lease != null) {
                held.add(lease);
            }
        }
        return held;
    }

    /**
     * Simulates a crash: stops the heartbeat and forgets every lease without releasing it, so that the leases stay in
     * the store until they expire. The store is left open. For tests.
     */
    public void abandon() {
        if (periodicPurge != null) {
            periodicPurge.stop();
        }
        lifecycle.abandon();
        heartbeat.stop(false);
        for (Slot slot : slots.values()) {
            ManagedLease lease = slot.lease;
            if (lease != null) {
                lease.abandon();
            }
        }
        slots.clear();
    }

    /** How many leases the heartbeat keeps alive. */
    public int heldLeaseCount() {
        return heartbeat.size();
    }

    @Override
    public String toString() {
        return "LockManager[owner " + owner + ", store " + store.getClass().getSimpleName() + "]";
    }
}

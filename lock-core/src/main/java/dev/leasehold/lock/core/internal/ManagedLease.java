package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.internal.Arguments;
import dev.leasehold.lock.spi.LeaseGrant;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A lease held through the engine. Its state moves only forward: {@code HELD} to {@code RELEASING} to {@code
 * RELEASED}, or to {@code LOST}, or (for crash tests) to {@code ABANDONED}; the one step back, {@code RELEASING} to
 * {@code HELD}, is a release with a minimum hold that the store does not offer, which changed nothing. A lease lost because its manager closed
 * while work under it still ran is also <em>left in the store</em>: it is never given back, so that the database keeps
 * it until it expires by its clock.
 *
 * <p>This class is thread-safe: state changes are guarded by {@code this}; renewals of one lease never overlap
 * because they hold {@link #io}.
 */
final class ManagedLease implements Lease {

    private static final Logger LOG = LoggerFactory.getLogger(ManagedLease.class);

    enum State {
        HELD,
        RELEASING,
        RELEASED,
        LOST,
        ABANDONED
    }

    private final Engine engine;
    private final String name;
    private final long token;
    private final long acquiringThread = Thread.currentThread().getId();
    /** When the grant arrived, by {@link System#nanoTime()}: the start of the time held that listeners are told. */
    private final long acquiredNanos = System.nanoTime();
    /** The database's time of the grant. */
    private final Instant acquiredAt;
    /** Whether the heartbeat leaves this lease alone. */
    private final boolean fixedTerm;
    /** The minimum hold of {@link #release()}, zero for none. */
    private final Duration minHold;

    /** Held by whoever is renewing this lease, so that a heartbeat and an extend never overlap. */
    final ReentrantLock io = new ReentrantLock();

    // Guarded by this.
    private State state = State.HELD;
    private LockExpiredException lostCause;
    private LossReason lostReason;
    private final List<Consumer<LockExpiredException>> listeners = new ArrayList<>();
    private long lastSentAt;
    private boolean leftInStore;

    private volatile Instant expiresAt;
    private volatile long deadline;
    private volatile long nextRenewAt;
    private volatile Duration leaseTime;
    private volatile Duration heartbeat;

    /** Whether a heartbeat batch has this lease in flight; touched by the heartbeat threads only. */
    volatile boolean renewing;

    ManagedLease(Engine engine, String name, LeaseGrant grant, long sentAt, LockConfig config) {
        this.engine = engine;
        this.name = name;
        this.token = grant.token();
        this.acquiredAt = grant.acquiredAt();
        this.expiresAt = grant.expiresAt();
        this.fixedTerm = config.fixedTerm();
        this.minHold = config.minHold();
        this.leaseTime = config.leaseTime();
        this.heartbeat = config.heartbeat();
        this.lastSentAt = sentAt;
        this.deadline = sentAt + config.leaseTime().toNanos() - LockConfig.marginNanos(config.leaseTime());
        this.nextRenewAt = sentAt + config.heartbeat().toNanos();
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public long token() {
        return token;
    }

    @Override
    public String ownerId() {
        return engine.ownerId();
    }

    @Override
    public Instant acquiredAt() {
        return acquiredAt;
    }

    @Override
    public Instant expiresAt() {
        return expiresAt;
    }

    @Override
    public boolean isValid() {
        return state() == State.HELD && System.nanoTime() - deadline < 0;
    }

    @Override
    public Duration validFor() {
        if (state() != State.HELD) {
            return Duration.ZERO;
        }
        long left = deadline - System.nanoTime();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** Whether the calling thread is the one that acquired this lease. */
    boolean acquiredByCurrentThread() {
        return Thread.currentThread().getId() == acquiringThread;
    }

    synchronized State state() {
        return state;
    }

    long deadline() {
        return deadline;
    }

    long nextRenewAt() {
        return nextRenewAt;
    }

    Duration leaseTime() {
        return leaseTime;
    }

    /** Whether the heartbeat leaves this lease alone: it ends at its expiry unless extended. */
    boolean fixedTerm() {
        return fixedTerm;
    }

    /** The minimum hold of {@link #release()}, zero for none. */
    Duration minHold() {
        return minHold;
    }

    long heartbeatNanos() {
        return heartbeat.toNanos();
    }

    /** Whether the local deadline has passed. */
    boolean deadlinePassed(long now) {
        return now - deadline >= 0;
    }

    /**
     * Records a successful renewal sent at {@code sentAt} for {@code renewedFor}.
     *
     * @return true if the lease was lost here meanwhile, so the caller should give the database's lease back
     */
    boolean renewed(long sentAt, Duration renewedFor, Instant newExpiry) {
        long newDeadline = sentAt + renewedFor.toNanos() - LockConfig.marginNanos(renewedFor);
        synchronized (this) {
            if (state != State.HELD) {
                return state == State.LOST && !leftInStore;
            }
            if (sentAt - lastSentAt < 0) {
                return false; // an older renewal answered late; the newer one already counted
            }
            lastSentAt = sentAt;
            if (System.nanoTime() - newDeadline < 0) {
                expiresAt = newExpiry;
                deadline = newDeadline;
                nextRenewAt = sentAt + heartbeat.toNanos();
                return false;
            }
        }
        // Acknowledged after its own deadline: it proves nothing about now.
        lose(LossReason.EXPIRED, "a renewal was confirmed only after the lease's local deadline had passed", null);
        return true;
    }

    /** Schedules the next renewal attempt sooner, after a failed one. */
    void retryRenewalAt(long at) {
        nextRenewAt = at;
    }

    @Override
    public void extend(Duration newLeaseTime) {
        if (fixedTerm) {
            Arguments.fixedTermLeaseTime(newLeaseTime, "leaseTime");
        } else {
            Arguments.leaseTime(newLeaseTime, "leaseTime");
        }
        io.lock();
        try {
            synchronized (this) {
                checkHeldForUse("extend");
            }
            long sentAt = System.nanoTime();
            Optional<Instant> renewed = engine.renewNow(this, newLeaseTime);
            if (renewed.isEmpty()) {
                throw copy(loseGone("extend found the lease gone: it expired or was taken over"));
            }
            synchronized (this) {
                if (state == State.HELD) {
                    leaseTime = newLeaseTime;
                    if (fixedTerm) {
                        heartbeat = newLeaseTime; // never used: the heartbeat leaves a fixed-term lease alone
                    } else if (heartbeat.compareTo(newLeaseTime) >= 0) {
                        heartbeat = LockSettings.defaultHeartbeat(newLeaseTime);
                    }
                }
            }
            if (renewed(sentAt, newLeaseTime, renewed.get())) {
                engine.giveBack(this);
            }
            synchronized (this) {
                checkHeldForUse("extend");
            }
        } finally {
            io.unlock();
        }
        engine.heartbeat().reschedule(this);
    }

    private void checkHeldForUse(String action) {
        switch (state) {
            case HELD -> {}
            case LOST -> throw copy(lostCause);
            case ABANDONED ->
                throw new IllegalStateException(
                        "cannot " + action + " lock '" + name + "': its manager was abandoned (crash simulation)");
            default ->
                throw new IllegalStateException("cannot " + action + " lock '" + name + "': the lease was released");
        }
    }

    @Override
    public void release() {
        release(minHold);
    }

    @Override
    public void release(Duration hold) {
        Arguments.minHold(hold, "minHold");
        synchronized (this) {
            switch (state) {
                case RELEASING, RELEASED -> {
                    return;
                }
                case LOST -> throw copy(lostCause);
                case ABANDONED ->
                    throw new IllegalStateException(
                            "cannot release lock '" + name + "': its manager was abandoned (crash simulation)");
                case HELD -> state = State.RELEASING;
            }
        }
        boolean released;
        try {
            released = engine.releaseInStore(this, hold);
        } catch (UnsupportedOperationException e) {
            synchronized (this) {
                if (state == State.RELEASING) {
                    state = State.HELD; // the store changed nothing: the lease is still held and renewed
                }
            }
            engine.heartbeat().reschedule(this);
            throw e;
        } catch (RuntimeException e) {
            // The store may not have released it; it ends here all the same and expires by the database clock.
            markReleased();
            engine.forget(this);
            throw e;
        }
        if (released) {
            markReleased();
            engine.forget(this);
            return;
        }
        LockExpiredException lost = loseGone("release found the lease gone: it expired or was taken over before");
        throw copy(lost);
    }

    @Override
    public void close() {
        release();
    }

    @Override
    public Lease onLost(Consumer<LockExpiredException> listener) {
        Arguments.notNull(listener, "listener");
        LockExpiredException fireNow;
        synchronized (this) {
            if (state == State.LOST) {
                fireNow = lostCause;
            } else {
                if (state == State.HELD || state == State.RELEASING) {
                    listeners.add(listener);
                }
                return this;
            }
        }
        notify(listener, fireNow);
        return this;
    }

    /** Ends a release: RELEASING to RELEASED, told to the engine's listeners once. */
    private void markReleased() {
        synchronized (this) {
            if (state != State.RELEASING) {
                return;
            }
            state = State.RELEASED;
        }
        engine.events().leaseReleased(name, token, acquiredNanos);
    }

    /**
     * Marks the lease lost because the store no longer has it, before its local deadline: another owner took it over,
     * or someone released it ({@link Events#goneReason}).
     */
    LockExpiredException loseGone(String reason) {
        LossReason kind = engine.events()
                .goneReason(
                        name,
                        () -> StoreCalls.run(
                                name, "inspect", () -> engine.store().inspect(name)));
        return lose(kind, reason, null);
    }

    /**
     * Marks the lease lost, unless it is released or lost already, and tells each listener once.
     *
     * @return the reason the lease is lost (this one, or the earlier one)
     */
    LockExpiredException lose(LossReason kind, String reason, Throwable cause) {
        List<Consumer<LockExpiredException>> toNotify;
        LockExpiredException lost;
        synchronized (this) {
            if (state == State.LOST) {
                return lostCause;
            }
            if (state != State.HELD && state != State.RELEASING) {
                return new LockExpiredException(name, token, "lease on lock '" + name + "' is not held", cause);
            }
            lost = markLost(kind, reason, cause);
            toNotify = takeListeners();
        }
        announce(lost, toNotify);
        return lost;
    }

    /**
     * Marks a held lease lost and leaves it in the store: its manager closes while work under it still runs, so it
     * must neither be renewed nor released; the database keeps it until it expires. Each listener is told once.
     *
     * @return whether the lease was held and is lost now (false if it was already released, releasing or lost)
     */
    boolean loseLeavingInStore(String reason) {
        List<Consumer<LockExpiredException>> toNotify;
        LockExpiredException lost;
        synchronized (this) {
            // Only HELD: a lease its work is releasing right now is no longer under running work.
            if (state != State.HELD) {
                return false;
            }
            leftInStore = true;
            lost = markLost(LossReason.MANAGER_CLOSED, reason, null);
            toNotify = takeListeners();
        }
        announce(lost, toNotify);
        return true;
    }

    private LockExpiredException markLost(LossReason kind, String reason, Throwable cause) {
        assert Thread.holdsLock(this);
        LockExpiredException lost = new LockExpiredException(
                name,
                token,
                "lease on lock '" + name + "' (token " + token + ", owner " + engine.ownerId() + ") was lost: "
                        + reason,
                cause);
        state = State.LOST;
        lostCause = lost;
        lostReason = kind;
        return lost;
    }

    private List<Consumer<LockExpiredException>> takeListeners() {
        assert Thread.holdsLock(this);
        List<Consumer<LockExpiredException>> taken = List.copyOf(listeners);
        listeners.clear();
        return taken;
    }

    private void announce(LockExpiredException lost, List<Consumer<LockExpiredException>> toNotify) {
        engine.forget(this);
        LOG.warn(lost.getMessage());
        LossReason kind;
        synchronized (this) {
            kind = lostReason;
        }
        engine.events().leaseLost(name, token, kind, acquiredNanos);
        for (Consumer<LockExpiredException> l : toNotify) {
            notify(l, lost);
        }
    }

    /** Marks the lease abandoned without telling anyone: its manager crashed (in a test). */
    synchronized void abandon() {
        if (state == State.HELD || state == State.RELEASING) {
            state = State.ABANDONED;
            listeners.clear();
        }
    }

    /** Marks the lease released by the manager's close. */
    synchronized boolean beginCloseRelease() {
        if (state == State.HELD) {
            state = State.RELEASING;
            return true;
        }
        return false;
    }

    void finishCloseRelease() {
        synchronized (this) {
            if (state == State.RELEASING) {
                listeners.clear();
            }
        }
        markReleased();
    }

    private void notify(Consumer<LockExpiredException> listener, LockExpiredException lost) {
        try {
            listener.accept(lost);
        } catch (Exception | Error e) { // checked ones too: see Events.fire
            LOG.error("an onLost listener of lock '{}' threw", name, e);
        }
    }

    /** A fresh exception for the caller's stack, keeping the original reason as its cause. */
    private LockExpiredException copy(LockExpiredException original) {
        return new LockExpiredException(name, token, original.getMessage(), original);
    }

    @Override
    public String toString() {
        return "Lease[" + name + ", token " + token + ", owner " + engine.ownerId() + ", " + state() + "]";
    }
}

package dev.leasehold.lock.leader;

import dev.leasehold.lock.DistributedLock;
import dev.leasehold.lock.Lease;
import dev.leasehold.lock.LockAlreadyHeldException;
import dev.leasehold.lock.LockExpiredException;
import dev.leasehold.lock.LockInterruptedException;
import dev.leasehold.lock.LockManager;
import dev.leasehold.lock.LockOptions;
import dev.leasehold.lock.LockSettings;
import dev.leasehold.lock.RetryOptions;
import dev.leasehold.lock.core.LeaseLockManager;
import dev.leasehold.lock.internal.Arguments;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A candidate in the election of one leader per lock name, built on any {@link LockManager}: the leader is whoever
 * holds the lock's lease. Build one per candidate with {@link #builder(LockManager, String)}, {@link #start()} it, and
 * {@link #close()} it when done.
 *
 * <p>A started election campaigns on one thread of its own, a daemon named {@code leasehold-election-<name>}; both
 * callbacks run on that thread, one at a time:
 *
 * <ol>
 *   <li>Campaign: acquire the lock, waiting up to ten poll intervals at a time and asking again every poll interval,
 *       or sooner where the store wakes waiters when the lock is released or expires. Store failures are logged and
 *       retried after a poll interval.
 *   <li>Elected: watch the lease through {@link Lease#onLost}, then call {@code onElected} once with the lease.
 *   <li>Lead until the lease is lost (the engine found it gone or its renewals failed until its local deadline; the
 *       lease is also checked every poll interval, which catches a manager closed underneath), {@link
 *       #yieldLeadership()} is called, or the election is closed. Release the lease unless it was lost, then call
 *       {@code onRevoked} once with the reason.
 *   <li>After a loss, campaign again at once; after a yield, stand aside for two poll intervals first, so that every
 *       other candidate has asked at least once; after a close, end the thread.
 * </ol>
 *
 * <p>Defaults: callbacks that do nothing, the manager's lock settings, and a poll interval of a tenth of the lease time
 * (the options' lease time, else the manager's when it is a {@link LeaseLockManager}, else {@link
 * LockSettings#DEFAULT_LEASE_TIME}, giving 3 s). When a leader dies, its lease expires within one lease time and another
 * candidate is elected at once where the store wakes waiters, else within one more poll interval.
 *
 * <p><b>What a leader may assume.</b> Being elected means holding a lease, with the lease's guarantees and no more:
 * {@link #isLeader()} turns false no later than the lease expires by the database clock, but a leader that pauses after
 * checking it may resume after another candidate was elected. Pass {@link Lease#token()} from {@code onElected} to the
 * resources the leader writes to, and have them reject lower tokens.
 *
 * <p>A callback that throws is logged and does not stop the election. A callback must not wait for the election
 * itself (its thread is the one running the callback); it may call {@link #yieldLeadership()} and {@link #close()},
 * which then take effect once it returns. If the manager is closed underneath a running election, the election reports
 * the leadership it held as lost, logs an error and stops campaigning; close it.
 *
 * <p>This class is thread-safe.
 */
public final class LeaderElection implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(LeaderElection.class);

    /** How many poll intervals one bounded wait for the lock lasts. */
    private static final int POLLS_PER_ROUND = 10;

    /** One spell of leadership: the lease and what happened to it. */
    private static final class Term {
        final Lease lease;
        volatile LockExpiredException lost;
        volatile boolean yieldRequested;

        Term(Lease lease) {
            this.lease = lease;
        }
    }

    private final String name;
    private final DistributedLock lock;
    private final Duration pollInterval;
    private final Consumer<Lease> onElected;
    private final Consumer<Revocation> onRevoked;

    private final Object lifecycle = new Object();
    // Guarded by lifecycle.
    private Thread thread;
    // Guarded by lifecycle: true while the election's thread waits in acquire, the only time close interrupts it.
    private boolean interruptible;

    private volatile boolean closed;
    private volatile Term current;

    private LeaderElection(Builder b) {
        this.name = b.name;
        this.pollInterval = b.pollInterval != null ? b.pollInterval : defaultPollInterval(b.manager, b.options);
        this.onElected = b.onElected;
        this.onRevoked = b.onRevoked;
        // Candidates campaign forever in bounded rounds; the options' retry is replaced by the poll interval.
        RetryOptions retry =
                RetryOptions.builder().maxRetries(-1).delay(pollInterval).build();
        LockOptions options = new LockOptions(b.options.leaseTime(), b.options.heartbeatInterval(), Optional.of(retry));
        this.lock = b.manager.lock(name, options);
    }

    private static Duration defaultPollInterval(LockManager manager, LockOptions options) {
        Duration leaseTime = options.leaseTime()
                .orElseGet(() -> manager instanceof LeaseLockManager m
                        ? m.settings().leaseTime()
                        : LockSettings.DEFAULT_LEASE_TIME);
        return leaseTime.dividedBy(10);
    }

    /**
     * A builder of a candidate for the lock {@code name} of {@code manager}.
     *
     * @throws IllegalArgumentException if {@code manager} is null or {@code name} is not a valid lock name
     */
    public static Builder builder(LockManager manager, String name) {
        return new Builder(Arguments.notNull(manager, "manager"), Arguments.lockName(name));
    }

    /** The lock name this election campaigns for. */
    public String name() {
        return name;
    }

    /** How often this candidate asks for the lock while another leads, and how long a yielding leader waits. */
    public Duration pollInterval() {
        return pollInterval;
    }

    /**
     * Starts campaigning on the election's own thread and returns at once.
     *
     * @throws IllegalStateException if the election was started before or is closed
     */
    public void start() {
        synchronized (lifecycle) {
            if (closed) {
                throw new IllegalStateException(
                        "the election for '" + name + "' is closed; build a new one with LeaderElection.builder()");
            }
            if (thread != null) {
                throw new IllegalStateException("the election for '" + name + "' was started already");
            }
            thread = new Thread(this::run, "leasehold-election-" + name);
            thread.setDaemon(true);
            thread.start();
        }
    }

    /**
     * Whether this candidate leads right now: it was elected, holds a valid lease, and is not yielding or closing. Asks
     * no database. False once closed.
     */
    public boolean isLeader() {
        return leads(current);
    }

    /** The lease of the current leadership while {@link #isLeader()} is true, else empty. */
    public Optional<Lease> currentLease() {
        Term term = current;
        return leads(term) ? Optional.of(term.lease) : Optional.empty();
    }

    private boolean leads(Term term) {
        return term != null && !closed && !term.yieldRequested && term.lost == null && term.lease.isValid();
    }

    /**
     * Gives up leadership and lets another candidate lead: returns at once; the election's thread then releases the
     * lease, calls {@code onRevoked} with {@link Revocation.Reason#YIELDED}, stands aside for two poll intervals and
     * campaigns again. {@link #isLeader()} is false from the moment this returns true.
     *
     * @return true if this candidate was leader and now yields, false if it was not leader
     * @throws IllegalStateException if the election is closed
     */
    public boolean yieldLeadership() {
        if (closed) {
            throw new IllegalStateException("the election for '" + name + "' is closed; it cannot yield");
        }
        Term term = current;
        if (term == null || term.yieldRequested || term.lost != null) {
            return false;
        }
        term.yieldRequested = true;
        wake();
        return true;
    }

    /**
     * Stops campaigning; a leader releases its lease and {@code onRevoked} runs with {@link
     * Revocation.Reason#CLOSED}. Waits for the election's thread to end (so for a running callback to return), unless
     * called from a callback, or the calling thread is interrupted while it waits (the interrupt flag is then set
     * again and the election ends on its own). Closing twice does nothing.
     */
    @Override
    public void close() {
        Thread t;
        synchronized (lifecycle) {
            closed = true;
            t = thread;
            if (t != null && interruptible) {
                // Wake the thread from its wait for the lock; it is never interrupted while it leads or releases.
                t.interrupt();
            }
        }
        if (t == null || t == Thread.currentThread()) {
            return;
        }
        LockSupport.unpark(t);
        try {
            t.join();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void wake() {
        Thread t;
        synchronized (lifecycle) {
            t = thread;
        }
        if (t != null) {
            LockSupport.unpark(t);
        }
    }

    private void run() {
        Lease lease = null;
        try {
            while (!closed) {
                lease = campaign();
                if (lease == null) {
                    return;
                }
                lead(lease);
                lease = null;
            }
        } catch (Exception | Error e) {
            LOG.error("the election for '{}' stopped unexpectedly", name, e);
            current = null;
            if (lease != null) {
                // Announced or not (the failure may come before it is): the heartbeat would keep it for nobody.
                releaseQuietly(lease);
            }
        }
    }

    /** Waits for the lock; null when the election is closed or can no longer campaign. */
    private Lease campaign() {
        boolean failing = false;
        while (!closed) {
            try {
                Lease lease = acquireInterruptibly();
                if (lease != null) {
                    if (failing) {
                        LOG.info("the election for '{}' reaches the store again", name);
                    }
                    return lease;
                }
            } catch (LockAlreadyHeldException e) {
                // Another candidate leads: campaign on.
                failing = false;
            } catch (LockInterruptedException e) {
                // Only close interrupts this thread; the loop condition ends the campaign.
            } catch (IllegalStateException e) {
                if (!closed) {
                    LOG.error(
                            "the lock manager of the election for '{}' is closed; the election stops campaigning:"
                                    + " close it and build a new one on an open manager",
                            name,
                            e);
                }
                return null;
            } catch (RuntimeException e) {
                if (failing) {
                    LOG.debug("the election for '{}' still cannot reach the store", name, e);
                } else {
                    LOG.warn(
                            "the election for '{}' cannot reach the store; it tries again every {}",
                            name,
                            pollInterval,
                            e);
                    failing = true;
                }
                pause(pollInterval, () -> closed);
            }
        }
        return null;
    }

    private Lease acquireInterruptibly() {
        synchronized (lifecycle) {
            if (closed) {
                return null;
            }
            interruptible = true;
        }
        try {
            return lock.acquire(round());
        } finally {
            synchronized (lifecycle) {
                interruptible = false;
            }
            // Clear an interrupt from close that arrived as the wait ended: later parks must block.
            Thread.interrupted();
        }
    }

    private Duration round() {
        Duration round = pollInterval.multipliedBy(POLLS_PER_ROUND);
        return round.compareTo(Arguments.MAX_DURATION) > 0 ? Arguments.MAX_DURATION : round;
    }

    /** Leads with {@code lease} until leadership ends; then tells {@code onRevoked}, unless it never began. */
    private void lead(Lease lease) {
        Thread self = Thread.currentThread();
        Term term = new Term(lease);
        lease.onLost(lost -> {
            term.lost = lost;
            LockSupport.unpark(self);
        });
        if (closed || term.lost != null || !lease.isValid()) {
            // Lost or closed before it was announced: nobody was told of this leadership, so nobody is told its end.
            releaseQuietly(lease);
            return;
        }
        current = term;
        LOG.info("elected leader of '{}' (owner {}, token {})", name, lease.ownerId(), lease.token());
        call(onElected, lease, "onElected");
        Revocation.Reason reason;
        while (true) {
            if (term.lost != null || !lease.isValid()) {
                reason = Revocation.Reason.LOST;
                break;
            }
            if (closed) {
                reason = Revocation.Reason.CLOSED;
                break;
            }
            if (term.yieldRequested) {
                reason = Revocation.Reason.YIELDED;
                break;
            }
            pause(pollInterval, () -> term.lost != null || closed || term.yieldRequested);
        }
        current = null;
        LockExpiredException cause = term.lost;
        if (reason != Revocation.Reason.LOST) {
            try {
                lease.release();
            } catch (LockExpiredException e) {
                reason = Revocation.Reason.LOST;
                cause = e;
            } catch (IllegalStateException e) {
                reason = Revocation.Reason.LOST; // the manager was abandoned underneath
            } catch (RuntimeException e) {
                LOG.warn("could not release the leadership of '{}'; the lease expires on its own", name, e);
            }
        }
        if (reason == Revocation.Reason.LOST) {
            LOG.info("lost the leadership of '{}' (token {})", name, lease.token());
        } else {
            LOG.info("gave up the leadership of '{}' (token {}): {}", name, lease.token(), reason);
        }
        call(onRevoked, new Revocation(lease, reason, Optional.ofNullable(cause)), "onRevoked");
        if (reason == Revocation.Reason.YIELDED) {
            pause(pollInterval.multipliedBy(2), () -> closed);
        }
    }

    private <T> void call(Consumer<T> callback, T value, String which) {
        try {
            callback.accept(value);
        } catch (Exception | Error e) { // checked ones too: a Kotlin or @SneakyThrows callback can throw them
            LOG.error("the {} callback of the election for '{}' threw; the election goes on", which, name, e);
        }
        // A callback's interrupt must not make every later park return at once.
        Thread.interrupted();
    }

    private void releaseQuietly(Lease lease) {
        try {
            lease.release();
        } catch (RuntimeException e) {
            LOG.debug("could not release lock '{}' (token {}); it expires on its own", name, lease.token(), e);
        }
    }

    /** Parks the election's thread for up to {@code time}, returning early once {@code done} is true. */
    private static void pause(Duration time, BooleanSupplier done) {
        long end = System.nanoTime() + time.toNanos();
        while (!done.getAsBoolean()) {
            long left = end - System.nanoTime();
            if (left <= 0) {
                return;
            }
            LockSupport.parkNanos(left);
        }
    }

    @Override
    public String toString() {
        return "LeaderElection[" + name + ", " + (closed ? "closed" : isLeader() ? "leader" : "candidate") + "]";
    }

    /**
     * Builds a {@link LeaderElection}. Defaults: callbacks that do nothing, the manager's lock settings, and a poll
     * interval of a tenth of the lease time.
     *
     * <p>This class is not thread-safe.
     */
    public static final class Builder {
        private final LockManager manager;
        private final String name;
        private Consumer<Lease> onElected = lease -> {};
        private Consumer<Revocation> onRevoked = revocation -> {};
        private LockOptions options = LockOptions.defaults();
        private Duration pollInterval;

        private Builder(LockManager manager, String name) {
            this.manager = manager;
            this.name = name;
        }

        /**
         * Called on the election's thread each time this candidate is elected, with the lease that makes it leader
         * (its {@link Lease#token()} is the fencing token of this leadership). Default: nothing.
         */
        public Builder onElected(Consumer<Lease> onElected) {
            this.onElected = Arguments.notNull(onElected, "onElected");
            return this;
        }

        /**
         * Called on the election's thread once at the end of each leadership announced to {@code onElected}, saying
         * why it ended. Default: nothing.
         */
        public Builder onRevoked(Consumer<Revocation> onRevoked) {
            this.onRevoked = Arguments.notNull(onRevoked, "onRevoked");
            return this;
        }

        /**
         * The lease time and heartbeat of the election's lock, over the manager's settings. Their {@code retry} is
         * not used: candidates ask again every poll interval. Default: {@link LockOptions#defaults()}.
         */
        public Builder lockOptions(LockOptions options) {
            this.options = Arguments.notNull(options, "options");
            return this;
        }

        /**
         * How often a candidate asks for the lock while another leads (where the store cannot wake waiters), and half
         * how long a yielding leader stands aside. Positive, at most a day. Default: a tenth of the lease time.
         */
        public Builder pollInterval(Duration pollInterval) {
            this.pollInterval = Arguments.positive(pollInterval, "pollInterval");
            return this;
        }

        /**
         * Builds the election, not yet started.
         *
         * @throws IllegalArgumentException if the lock options do not fit the manager's settings
         * @throws IllegalStateException if the manager is closed
         */
        public LeaderElection build() {
            return new LeaderElection(this);
        }
    }
}

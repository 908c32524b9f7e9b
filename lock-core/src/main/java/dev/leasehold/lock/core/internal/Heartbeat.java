package dev.leasehold.lock.core.internal;

import dev.leasehold.lock.LockEvents.LossReason;
import dev.leasehold.lock.LockEvents.RenewalOutcome;
import dev.leasehold.lock.LockException;
import dev.leasehold.lock.spi.LeaseKey;
import dev.leasehold.lock.spi.SqlFailures;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The heartbeat of one manager: a timer thread that decides what is due and marks leases lost at their local
 * deadline, and a renewer thread that talks to the store. Two threads per manager, never one per lock.
 *
 * <ol>
 *   <li>The timer runs when the earliest lease is due for renewal or reaches its deadline.
 *   <li>A lease whose local deadline has passed is lost, even while the renewer is stuck in a slow store call.
 *   <li>When any lease is due, every held lease due within its own heartbeat interval joins the batch, so that the
 *       leases of a manager fall into step and are renewed together: one {@code renewAll} per interval.
 *   <li>The renewer renews each batch with one {@code renewAll} per lease time, retrying transient failures until the
 *       earliest deadline in the batch; a lease missing from the answer is lost.
 *   <li>A fixed-term lease is watched for its deadline only: it is never due, never joins a batch, and is lost when
 *       its term ends.
 * </ol>
 *
 * <p>This class is thread-safe.
 */
final class Heartbeat {

    private static final Logger LOG = LoggerFactory.getLogger(Heartbeat.class);
    private static final long RETRY_AFTER_FAILURE_NANOS = Duration.ofMillis(50).toNanos();

    private final Engine engine;
    private final ScheduledThreadPoolExecutor timer;
    private final ExecutorService renewer;
    private final Set<ManagedLease> leases = ConcurrentHashMap.newKeySet();

    // Guarded by this.
    private ScheduledFuture<?> scheduled;
    private long scheduledAt;
    private boolean stopped;

    Heartbeat(Engine engine, String ownerId) {
        this.engine = engine;
        this.timer = new ScheduledThreadPoolExecutor(1, daemon("leasehold-heartbeat-" + ownerId));
        this.timer.setRemoveOnCancelPolicy(true);
        this.renewer = Executors.newSingleThreadExecutor(daemon("leasehold-renewer-" + ownerId));
    }

    private static ThreadFactory daemon(String name) {
        return r -> {
            Thread t = new Thread(r, name);
            t.setDaemon(true);
            return t;
        };
    }

    void add(ManagedLease lease) {
        leases.add(lease);
        reschedule(lease);
    }

    void remove(ManagedLease lease) {
        leases.remove(lease);
    }

    /** Makes sure the timer runs no later than this lease needs. */
    void reschedule(ManagedLease lease) {
        long next = lease.deadline();
        if (!lease.fixedTerm() && !lease.renewing && lease.nextRenewAt() - next < 0) {
            next = lease.nextRenewAt();
        }
        scheduleAt(next);
    }

    private synchronized void scheduleAt(long at) {
        if (stopped) {
            return;
        }
        if (scheduled != null && !scheduled.isDone() && scheduledAt - at <= 0) {
            return;
        }
        if (scheduled != null) {
            scheduled.cancel(false);
        }
        scheduledAt = at;
        scheduled = timer.schedule(this::tick, Math.max(0, at - System.nanoTime()), TimeUnit.NANOSECONDS);
    }

    private void tick() {
        synchronized (this) {
            scheduled = null;
        }
        try {
            long now = System.nanoTime();
            List<ManagedLease> due = new ArrayList<>();
            boolean anyDue = false;
            Long next = null;
            for (ManagedLease lease : leases) {
                ManagedLease.State state = lease.state();
                if (state != ManagedLease.State.HELD) {
                    if (state != ManagedLease.State.RELEASING) {
                        leases.remove(lease);
                    }
                    continue;
                }
                if (lease.deadlinePassed(now)) {
                    lease.lose(
                            LossReason.EXPIRED,
                            lease.fixedTerm()
                                    ? "its fixed term of " + lease.leaseTime() + " ended (it is never renewed)"
                                    : "no renewal succeeded before the lease's local deadline",
                            lease.fixedTerm() ? null : engine.lastRenewalFailure());
                    leases.remove(lease);
                    continue;
                }
                next = earlier(next, lease.deadline());
                if (lease.renewing || lease.fixedTerm()) {
                    continue;
                }
                long untilDue = lease.nextRenewAt() - now;
                if (untilDue <= 0) {
                    anyDue = true;
                }
                if (untilDue <= lease.heartbeatNanos()) {
                    due.add(lease);
                } else {
                    next = earlier(next, lease.nextRenewAt());
                }
            }
            if (anyDue) {
                for (ManagedLease lease : due) {
                    lease.renewing = true;
                }
                renewer.execute(() -> renew(due));
            } else {
                for (ManagedLease lease : due) {
                    next = earlier(next, lease.nextRenewAt());
                }
            }
            if (next != null) {
                scheduleAt(next);
            }
        } catch (Exception | Error e) {
            LOG.error("heartbeat of owner {} failed; retrying", engine.ownerId(), e);
            scheduleAt(System.nanoTime() + RETRY_AFTER_FAILURE_NANOS);
        }
    }

    private static Long earlier(Long current, long candidate) {
        return current == null || candidate - current < 0 ? candidate : current;
    }

    /** Runs on the renewer thread. */
    private void renew(List<ManagedLease> batch) {
        List<ManagedLease> locked = new ArrayList<>();
        try {
            for (ManagedLease lease : batch) {
                // An extend in progress renews the lease itself.
                if (lease.io.tryLock()) {
                    locked.add(lease);
                } else {
                    lease.renewing = false;
                }
            }
            Map<Duration, List<ManagedLease>> byLeaseTime = new LinkedHashMap<>();
            for (ManagedLease lease : locked) {
                if (lease.state() == ManagedLease.State.HELD && !lease.fixedTerm()) {
                    byLeaseTime
                            .computeIfAbsent(lease.leaseTime(), k -> new ArrayList<>())
                            .add(lease);
                }
            }
            for (Map.Entry<Duration, List<ManagedLease>> group : byLeaseTime.entrySet()) {
                renewGroup(group.getKey(), group.getValue());
            }
        } catch (Exception | Error e) {
            LOG.error("renewal of owner {} failed unexpectedly", engine.ownerId(), e);
        } finally {
            for (ManagedLease lease : batch) {
                lease.renewing = false;
            }
            for (ManagedLease lease : locked) {
                lease.io.unlock();
            }
            for (ManagedLease lease : batch) {
                if (lease.state() == ManagedLease.State.HELD) {
                    reschedule(lease);
                }
            }
        }
    }

    private void renewGroup(Duration leaseTime, List<ManagedLease> group) {
        long sentAt = System.nanoTime();
        long earliestDeadline = group.get(0).deadline();
        List<LeaseKey> keys = new ArrayList<>(group.size());
        for (ManagedLease lease : group) {
            keys.add(new LeaseKey(lease.name(), lease.token()));
            if (lease.deadline() - earliestDeadline < 0) {
                earliestDeadline = lease.deadline();
            }
        }
        String label = group.size() == 1 ? group.get(0).name() : group.size() + " leases";
        long deadline = earliestDeadline;
        Map<String, Instant> renewed;
        try {
            renewed = StoreCalls.run(
                    () -> StoreCalls.transientPolicyWithin(label, "renewal", StoreCalls.leftUntil(deadline)),
                    label,
                    "renewal",
                    () -> engine.store().renewAll(engine.ownerId(), keys, leaseTime));
            engine.renewalSucceeded();
        } catch (LockException e) {
            engine.renewalFailed(e);
            long now = System.nanoTime();
            boolean transientFailure = SqlFailures.isTransient(e.getCause());
            for (ManagedLease lease : group) {
                engine.events()
                        .renewed(
                                lease.name(),
                                transientFailure ? RenewalOutcome.FAILED_TRANSIENTLY : RenewalOutcome.FAILED);
                if (!transientFailure) {
                    lease.lose(LossReason.RENEWAL_FAILED, "renewal failed with an error that is not transient", e);
                } else if (lease.deadlinePassed(now)) {
                    lease.lose(LossReason.EXPIRED, "renewals kept failing until the lease's local deadline passed", e);
                } else {
                    lease.retryRenewalAt(now + RETRY_AFTER_FAILURE_NANOS);
                }
            }
            return;
        }
        for (ManagedLease lease : group) {
            Instant expiry = renewed.get(lease.name());
            engine.events().renewed(lease.name(), expiry == null ? RenewalOutcome.GONE : RenewalOutcome.RENEWED);
            if (expiry == null) {
                lease.loseGone("a renewal found it gone: it expired or another owner took the lock over");
            } else if (lease.renewed(sentAt, leaseTime, expiry)) {
                engine.giveBack(lease);
            }
        }
    }

    /** Stops both threads, waiting briefly for a renewal in flight. */
    void stop(boolean waitForRenewal) {
        synchronized (this) {
            stopped = true;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
        timer.shutdownNow();
        renewer.shutdownNow();
        if (waitForRenewal) {
            try {
                if (!renewer.awaitTermination(5, TimeUnit.SECONDS)) {
                    LOG.warn("a renewal of owner {} was still running when its manager closed", engine.ownerId());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        leases.clear();
    }

    /** The number of leases the heartbeat keeps alive (for tests and diagnostics). */
    int size() {
        return leases.size();
    }
}

package dev.leasehold.lock.spring.boot.actuate;

import dev.leasehold.lock.LockEvents;
import dev.leasehold.lock.LockListener;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The leases lost within a window, for the {@code leasehold} health indicator: a {@link LockListener} that remembers
 * each {@link LockListener#leaseLost lost lease} for {@code window}, measured with {@link System#nanoTime()}. The
 * auto-configuration registers it on the {@code LockManager} it builds; a manager the application builds itself reports
 * to it when given it with {@code Locks.builder().listener(recentLeaseLosses)}.
 *
 * <p>At most {@value #MAX_KEPT} losses are kept (the newest); when more happened within the window, {@link
 * Snapshot#truncated()} says so.
 *
 * <p>This class is thread-safe.
 */
public final class RecentLeaseLosses implements LockListener {

    /** The most losses kept, so that a storm of losses cannot grow the heap. */
    public static final int MAX_KEPT = 100;

    private final Duration window;
    private final long windowNanos;
    private final Clock clock;
    private final LongSupplier nanoTime;
    // Guarded by itself: losses arrive on heartbeat and caller threads while health checks read.
    private final Deque<Loss> losses = new ArrayDeque<>();
    private boolean truncated;

    /**
     * Losses kept for {@code window}, stamped with the system clock in UTC.
     *
     * @throws IllegalArgumentException if {@code window} is null, zero or negative
     */
    public RecentLeaseLosses(Duration window) {
        this(window, Clock.systemUTC(), System::nanoTime);
    }

    /**
     * Losses kept for {@code window}: {@code nanoTime} measures the window (as {@link System#nanoTime()} does), {@code
     * clock} stamps each loss with the wall-clock time it was noticed, for people to read.
     *
     * @throws IllegalArgumentException if an argument is null, or {@code window} is zero or negative
     */
    public RecentLeaseLosses(Duration window, Clock clock, LongSupplier nanoTime) {
        if (window == null || clock == null || nanoTime == null) {
            throw new IllegalArgumentException(
                    (window == null ? "window" : clock == null ? "clock" : "nanoTime") + " must not be null");
        }
        if (window.isZero() || window.isNegative()) {
            throw new IllegalArgumentException("window (leasehold.actuator.health.lost-window) is " + window
                    + "; it must be positive, for example 5m");
        }
        this.window = window;
        this.windowNanos = window.toNanos();
        this.clock = clock;
        this.nanoTime = nanoTime;
    }

    /** How long a loss is remembered. */
    public Duration window() {
        return window;
    }

    @Override
    public void leaseLost(LockEvents.LeaseLost event) {
        Loss loss = new Loss(
                event.lockName(),
                event.token(),
                event.reason(),
                event.backend(),
                clock.instant(),
                nanoTime.getAsLong());
        synchronized (losses) {
            losses.addLast(loss);
            if (losses.size() > MAX_KEPT) {
                losses.removeFirst();
                truncated = true;
            }
            forgetOld(loss.noticedNanos());
        }
    }

    /** The losses within the window now, newest first. */
    public Snapshot snapshot() {
        long now = nanoTime.getAsLong();
        synchronized (losses) {
            forgetOld(now);
            List<Loss> newestFirst = new ArrayList<>(losses.size());
            losses.descendingIterator().forEachRemaining(newestFirst::add);
            return new Snapshot(List.copyOf(newestFirst), truncated && !losses.isEmpty());
        }
    }

    private void forgetOld(long now) {
        for (Iterator<Loss> it = losses.iterator(); it.hasNext(); ) {
            // Differences, not comparisons, of nanoTime values: they may wrap.
            if (now - it.next().noticedNanos() > windowNanos) {
                it.remove();
            } else {
                break;
            }
        }
        if (losses.isEmpty()) {
            truncated = false;
        }
    }

    /**
     * The losses within the window at one moment.
     *
     * @param losses newest first, at most {@value #MAX_KEPT}
     * @param truncated whether more leases than these were lost within the window
     */
    public record Snapshot(List<Loss> losses, boolean truncated) {}

    /**
     * One lost lease.
     *
     * @param name the lock's name
     * @param token the lost lease's fencing token
     * @param reason why it was lost
     * @param backend the backend's name
     * @param noticedAt when this application noticed the loss, by its wall clock
     * @param noticedNanos the same moment by {@link System#nanoTime()}, for the window
     */
    public record Loss(
            String name,
            long token,
            LockEvents.LossReason reason,
            String backend,
            Instant noticedAt,
            long noticedNanos) {}
}

package dev.leasehold.lock.advisory.internal;

import dev.leasehold.lock.advisory.internal.HeldKeys.Grant;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The maintenance tick of an advisory session, every 100 ms (or the liveness interval, if shorter) while the session
 * holds leases: it gives back the advisory lock of a lease whose row ran out without a renewal (its holder's local
 * deadline passed long before), so that a stuck holder never blocks a lock for longer than its lease, and checks the
 * session with a round trip whenever it has been idle for the liveness interval, so that a terminated session is
 * reported within that interval plus 100 ms plus a round trip.
 *
 * <p>This class is thread-safe: the tick runs on a daemon thread of its own and works on the session through {@link
 * AdvisorySession#maintain} only.
 */
final class SessionWatchdog implements AutoCloseable {

    private static final Logger LOG = LoggerFactory.getLogger(SessionWatchdog.class);

    private static final long MAX_TICK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    /** How long a tick waits for the session; a statement running on it notices a dead session itself. */
    private static final long PATIENCE_MILLIS = 50;

    private final AdvisorySession session;
    private final HeldKeys held;
    private final long livenessNanos;
    private final ScheduledExecutorService thread;

    /** Starts the tick on a daemon thread named after the owner. */
    SessionWatchdog(AdvisorySession session, HeldKeys held, Duration livenessInterval, String ownerId) {
        this.session = session;
        this.held = held;
        this.livenessNanos = livenessInterval.toNanos();
        this.thread = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("leasehold-advisory-" + ownerId));
        long tick = Math.min(livenessNanos, MAX_TICK_NANOS);
        thread.scheduleWithFixedDelay(this::tick, tick, tick, TimeUnit.NANOSECONDS);
    }

    private void tick() {
        if (held.count() == 0) {
            return;
        }
        session.maintain(PATIENCE_MILLIS, () -> {
            long now = System.nanoTime();
            List<Grant> ranOut = held.ranOut(now);
            if (!ranOut.isEmpty()) {
                for (Grant g : ranOut) {
                    LOG.warn(
                            "lock '{}' (token {}) ran out without a renewal; giving back its advisory lock",
                            g.name,
                            g.token);
                }
                session.giveBack(ranOut);
            }
            if (session.isOpen() && !held.isEmpty() && session.idleFor(livenessNanos, now)) {
                session.checkAlive();
            }
        });
    }

    /** Stops the tick, waiting up to a second for one that runs. */
    @Override
    public void close() {
        thread.shutdownNow();
        try {
            thread.awaitTermination(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
